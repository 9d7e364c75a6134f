"""Each host collector against fake OS touchpoints: values read back from a real registry."""

from collections import namedtuple
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry

from exporter.collectors import COLLECTORS, CollectorSettings, build_collectors
from exporter.collectors.cpu import CpuCollector
from exporter.collectors.disk import DiskCollector
from exporter.collectors.filesystem import FilesystemCollector
from exporter.collectors.load import LoadCollector
from exporter.collectors.memory import MemoryCollector
from exporter.collectors.network import NetworkCollector
from exporter.collectors.process import NamedProcessCollector, matches_name
from exporter.collectors.processes import ProcessesCollector
from exporter.host import host_registry


def registry_of(*collectors) -> CollectorRegistry:
    return host_registry(collectors)


def test_cpu_modes_per_cpu_and_count():
    Times = namedtuple("Times", "user nice system idle iowait guest")
    reg = registry_of(CpuCollector(cpu_times=lambda: [Times(1, 2, 3, 4, 5, 6), Times(10, 20, 30, 40, 50, 60)],
                                   cpu_count=lambda: 2))
    assert reg.get_sample_value("perfstack_cpu_seconds_total", {"cpu": "1", "mode": "idle"}) == 40
    assert reg.get_sample_value("perfstack_cpu_seconds_total", {"cpu": "0", "mode": "iowait"}) == 5
    assert reg.get_sample_value("perfstack_cpu_seconds_total", {"cpu": "0", "mode": "guest"}) is None
    assert reg.get_sample_value("perfstack_cpu_count") == 2


def test_memory_and_swap():
    reg = registry_of(MemoryCollector(virtual_memory=lambda: SimpleNamespace(total=8e9, available=2e9),
                                      swap_memory=lambda: SimpleNamespace(total=1e9, free=4e8)))
    assert reg.get_sample_value("perfstack_memory_total_bytes") == 8e9
    assert reg.get_sample_value("perfstack_memory_available_bytes") == 2e9
    assert reg.get_sample_value("perfstack_swap_free_bytes") == 4e8


Disk = namedtuple("Disk", "read_bytes write_bytes read_count write_count busy_time")


def test_disk_counters_skip_virtual_devices_and_convert_io_time():
    reg = registry_of(DiskCollector(disk_io_counters=lambda: {
        "sda": Disk(100, 200, 3, 4, 1500), "loop0": Disk(9, 9, 9, 9, 9), "zram0": Disk(9, 9, 9, 9, 9)}))
    assert reg.get_sample_value("perfstack_disk_written_bytes_total", {"device": "sda"}) == 200
    assert reg.get_sample_value("perfstack_disk_reads_completed_total", {"device": "sda"}) == 3
    assert reg.get_sample_value("perfstack_disk_io_time_seconds_total", {"device": "sda"}) == 1.5
    assert reg.get_sample_value("perfstack_disk_read_bytes_total", {"device": "loop0"}) is None


@pytest.mark.parametrize("counters", [None, {}, {"loop0": Disk(1, 1, 1, 1, 1)}])
def test_platform_without_disk_stats_omits_the_family_cleanly(counters):
    reg = registry_of(DiskCollector(disk_io_counters=lambda: counters))
    names = {m.name for m in reg.collect()}
    assert not any(n.startswith("perfstack_disk_") for n in names)
    assert reg.get_sample_value("perfstack_exporter_collector_success", {"collector": "disk"}) == 1


Nic = namedtuple("Nic", "bytes_recv bytes_sent packets_recv packets_sent errin errout dropin dropout")


@pytest.mark.parametrize("include_loopback", [False, True])
def test_network_excludes_loopback_unless_asked(include_loopback):
    nics = {"lo": Nic(*range(8)), "eth0": Nic(*range(10, 18))}
    flags = {"lo": SimpleNamespace(flags="up,loopback,running"), "eth0": SimpleNamespace(flags="up,broadcast")}
    reg = registry_of(NetworkCollector(net_io_counters=lambda: nics, net_if_stats=lambda: flags,
                                       include_loopback=include_loopback))
    assert reg.get_sample_value("perfstack_network_receive_bytes_total", {"device": "eth0"}) == 10
    assert reg.get_sample_value("perfstack_network_transmit_drop_total", {"device": "eth0"}) == 17
    lo = reg.get_sample_value("perfstack_network_receive_bytes_total", {"device": "lo"})
    assert (lo is not None) == include_loopback


def test_filesystem_skips_unreadable_mounts():
    Part = namedtuple("Part", "device mountpoint fstype")
    Stat = namedtuple("Stat", "f_blocks f_bfree f_bavail f_frsize")

    def statvfs(path):
        if path == "/secret":
            raise PermissionError(13, "denied")
        return Stat(1000, 400, 300, 4096)

    parts = [Part("/dev/sda1", "/", "ext4"), Part("/dev/sda1", "/", "ext4"), Part("fuse", "/secret", "fuse")]
    reg = registry_of(FilesystemCollector(disk_partitions=lambda: parts, statvfs=statvfs))
    labels = {"mountpoint": "/", "fstype": "ext4", "device": "/dev/sda1"}
    assert reg.get_sample_value("perfstack_filesystem_size_bytes", labels) == 1000 * 4096
    assert reg.get_sample_value("perfstack_filesystem_free_bytes", labels) == 400 * 4096
    assert reg.get_sample_value("perfstack_filesystem_avail_bytes", labels) == 300 * 4096
    assert reg.get_sample_value("perfstack_exporter_collector_success", {"collector": "filesystem"}) == 1


def test_load_and_process_count():
    reg = registry_of(LoadCollector(getloadavg=lambda: (0.5, 1.5, 2.5)), ProcessesCollector(pids=lambda: [1, 2, 3]))
    assert reg.get_sample_value("perfstack_load5") == 1.5
    assert reg.get_sample_value("perfstack_processes") == 3


def test_named_processes_are_summed_and_absent_ones_report_zero_matched():
    Cpu = namedtuple("Cpu", "user system")
    Mem = namedtuple("Mem", "rss")

    def proc(name, cmdline, cpu, rss):
        return SimpleNamespace(info={"name": name, "cmdline": cmdline, "cpu_times": Cpu(cpu, 1.0),
                                     "memory_info": Mem(rss), "num_fds": 5, "num_threads": 2})

    procs = [proc("python3", ["python3", "-m", "demo"], 2.0, 100), proc("python3", ["python3", "-m", "demo"], 3.0, 50),
             proc("nginx", ["nginx"], 9.0, 1), SimpleNamespace(info={"name": "zombie", "cmdline": None,
                                                                       "cpu_times": None, "memory_info": None,
                                                                       "num_fds": None, "num_threads": None})]
    reg = registry_of(NamedProcessCollector(["demo", "absent"], process_iter=lambda: procs))
    assert reg.get_sample_value("perfstack_process_cpu_seconds_total", {"name": "demo"}) == 7.0
    assert reg.get_sample_value("perfstack_process_resident_memory_bytes", {"name": "demo"}) == 150
    assert reg.get_sample_value("perfstack_process_open_fds", {"name": "demo"}) == 10
    assert reg.get_sample_value("perfstack_process_threads", {"name": "demo"}) == 4
    assert reg.get_sample_value("perfstack_process_matched", {"name": "absent"}) == 0
    assert reg.get_sample_value("perfstack_process_cpu_seconds_total", {"name": "absent"}) is None
    assert matches_name("python3", "python3", None) and not matches_name("demo", "python3", ["python3", "demox"])


def test_named_process_on_the_real_host_finds_this_pytest_process():
    reg = registry_of(NamedProcessCollector(["pytest"]))
    assert reg.get_sample_value("perfstack_process_matched", {"name": "pytest"}) >= 1
    assert reg.get_sample_value("perfstack_process_resident_memory_bytes", {"name": "pytest"}) > 10**6
    assert reg.get_sample_value("perfstack_process_cpu_seconds_total", {"name": "pytest"}) > 0


def test_every_collector_runs_on_this_host_and_names_its_metrics():
    collectors = build_collectors(set(COLLECTORS), CollectorSettings(processes=("init",)))
    reg = host_registry(collectors)
    emitted = {s.name for m in reg.collect() for s in m.samples}
    declared = {d.exposed_name for c in collectors for d in c.metrics}
    assert emitted - {"perfstack_exporter_collector_duration_seconds", "perfstack_exporter_collector_success"} <= declared
    for c in collectors:
        assert reg.get_sample_value("perfstack_exporter_collector_success", {"collector": c.name}) == 1
    with pytest.raises(ValueError, match="unknown collector"):
        build_collectors({"cpu", "gpu"}, CollectorSettings())
