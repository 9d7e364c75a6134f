#!/usr/bin/env bash
# Install the non-Python parts perfstack runs for real: Prometheus + promtool, Alertmanager + amtool,
# Chromium (report screenshots). With --bench also wrk and nginx. Debian/Ubuntu only; elsewhere it
# says how to get the same stack with docker compose.
set -euo pipefail
pkgs=()
command -v prometheus >/dev/null || pkgs+=(prometheus)
command -v promtool >/dev/null || pkgs+=(prometheus)
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || pkgs+=(prometheus-alertmanager)
command -v chromium >/dev/null || pkgs+=(chromium)
command -v openssl >/dev/null || pkgs+=(openssl)   # self-signed certificates in the TLS tests
if [[ "${1:-}" == "--bench" ]]; then
  command -v wrk >/dev/null || pkgs+=(wrk)
  command -v nginx >/dev/null || pkgs+=(nginx-light)
fi
[[ ${#pkgs[@]} -eq 0 ]] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "install-deps: missing ${pkgs[*]} and this is not a Debian/Ubuntu system." >&2
  echo "install-deps: install Prometheus and Alertmanager yourself, or run the whole stack with 'docker compose up'." >&2
  exit 1
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "install-deps: apt-get install ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${pkgs[@]}" | sort -u) >/dev/null
# Debian starts the packaged daemons on their default ports; perfstack runs its own on free ports.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
  $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
