"""Point the committed local-stack ``prometheus/prometheus.yml`` at the ports this run uses.

The committed file is generated from the same template as the compose version; the demo keeps its
jobs, relabelling and rule files and only substitutes what differs per run: targets, intervals,
the rule-file location and the Alertmanager address. Jobs the demo does not run are dropped so
``TargetDown`` does not fire for them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from perfstack.units import parse_duration

__all__ = ["localize_prometheus_config"]


def localize_prometheus_config(base: Mapping, *, targets: Mapping[str, list[str]], alertmanager: str,
                               rule_files: list[str], scrape_interval: str = "2s",
                               evaluation_interval: str = "2s") -> dict:
    """Return a copy of ``base`` scraping ``targets`` (job → host:port list), alerting ``alertmanager``."""
    cfg = copy.deepcopy(dict(base))
    glob = dict(cfg.get("global") or {})
    glob.update({"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval})
    glob["scrape_timeout"] = scrape_interval if parse_duration(scrape_interval) < 10 else "10s"
    cfg["global"] = glob
    cfg["rule_files"] = list(rule_files)
    cfg["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    jobs = []
    seen = set()
    for job in cfg.get("scrape_configs") or []:
        name = job.get("job_name")
        if name not in targets:
            continue
        job = dict(job)
        statics = job.get("static_configs") or [{}]
        labels = statics[0].get("labels") if statics else None
        job["static_configs"] = [{"targets": list(targets[name]), **({"labels": labels} if labels else {})}]
        for key in ("scrape_interval", "scrape_timeout", "file_sd_configs", "dns_sd_configs"):
            job.pop(key, None)
        jobs.append(job)
        seen.add(name)
    jobs += [{"job_name": name, "static_configs": [{"targets": list(tg)}]}
             for name, tg in targets.items() if name not in seen]
    cfg["scrape_configs"] = jobs
    return cfg

