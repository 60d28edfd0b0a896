#!/usr/bin/env python3
"""Checks the monitoring and Kubernetes files in deploy/ (run by .ci/run; needs PyYAML).

- deploy/kubernetes/*.yaml parse, and agree with each other and with order-sync: probes on
  /healthz and /readyz, a grace period longer than sync.shutdown_grace, resources set, the
  ConfigMap's order-sync.toml valid TOML, referenced ConfigMaps present, the Service selecting
  the Deployment's pods, the CronJob running `once` with concurrencyPolicy Forbid.
- deploy/grafana/order-sync.json is a Grafana dashboard with a Prometheus data source variable
  that every panel uses, and every series README's metrics table documents appears in a panel.
- deploy/prometheus/alerts.yml rules each have a severity, a summary and a description.
With --dashboard-rules PATH it also writes the dashboard's queries as recording rules, so that
`promtool check rules PATH` checks their PromQL. Exits 1 with one line per problem.
"""

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
problems = []


def check(ok, message):
    if not ok:
        problems.append(message)
    return ok


def seconds(duration):
    """'20s', '2m', '1h' → seconds (the humantime forms config/default.toml uses here)."""
    m = re.fullmatch(r"(\d+)\s*(ms|s|m|h)", duration.strip())
    if not m:
        raise ValueError(f"unsupported duration {duration!r}")
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def documented_series():
    readme = (ROOT / "README.md").read_text()
    names = re.findall(r"^\| `(order_sync_[a-z_]+)", readme, re.M)
    check(len(names) >= 20, f"README's metrics table lists only {len(names)} series")
    return names


def load_kubernetes():
    docs = []
    for path in sorted((ROOT / "deploy/kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            where = f"{path.name}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            check(all(doc.get(k) for k in ("apiVersion", "kind", "metadata")), f"{where}: no apiVersion/kind/metadata")
            docs.append((where, doc))
    check(docs, "deploy/kubernetes has no manifests")
    return docs


def shutdown_grace(configmaps):
    grace = tomllib.loads((ROOT / "config/default.toml").read_text())["sync"]["shutdown_grace"]
    for where, cm in configmaps:
        text = cm.get("data", {}).get("order-sync.toml")
        if check(text is not None, f"{where}: no order-sync.toml key"):
            try:
                grace = tomllib.loads(text).get("sync", {}).get("shutdown_grace", grace)
            except tomllib.TOMLDecodeError as e:
                check(False, f"{where}: order-sync.toml is not valid TOML: {e}")
    return seconds(grace)


def check_pod(where, pod, grace, configmap_names, probes):
    period = pod.get("terminationGracePeriodSeconds", 30)
    check(period > grace, f"{where}: terminationGracePeriodSeconds {period} must exceed sync.shutdown_grace ({grace:g} s)")
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            name = volume["configMap"]["name"]
            check(name in configmap_names, f"{where}: volume {volume['name']} names missing ConfigMap {name}")
    for c in pod["containers"]:
        res = c.get("resources", {})
        check(res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"), f"{where}: memory requests/limits unset")
        mounted = {m["name"] for m in c.get("volumeMounts", [])}
        check({"config", "salesforce-key"} <= mounted, f"{where}: config and salesforce-key must be mounted")
        env = {e["name"] for e in c.get("env", [])}
        check({"ORDER_SYNC_CONFIG", "ORDER_SYNC__SALESFORCE__PRIVATE_KEY_PATH"} <= env, f"{where}: config/key paths not set")
        check(any("secretRef" in e for e in c.get("envFrom", [])), f"{where}: no envFrom secretRef for secrets")
        for probe, path in probes.items():
            got = c.get(probe, {}).get("httpGet", {}).get("path")
            check(got == path, f"{where}: {probe} should GET {path}, not {got}")


def check_kubernetes():
    docs = load_kubernetes()
    of_kind = lambda kind: [(w, d) for w, d in docs if d.get("kind") == kind]
    configmaps = of_kind("ConfigMap")
    grace = shutdown_grace(configmaps)
    names = {d["metadata"]["name"] for _, d in configmaps}
    deployments, cronjobs, services = of_kind("Deployment"), of_kind("CronJob"), of_kind("Service")
    check(deployments and cronjobs and services, "expected a Deployment, a CronJob and a Service")
    daemon_probes = {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    for where, dep in deployments:
        pod = dep["spec"]["template"]["spec"]
        check_pod(where, pod, grace, names, daemon_probes)
        check(pod["containers"][0].get("args") == ["run"], f"{where}: should run `order-sync run`")
        labels = dep["spec"]["template"]["metadata"]["labels"]
        for swhere, svc in services:
            selector = svc["spec"]["selector"].items()
            check(selector <= labels.items(), f"{swhere}: selector does not match {where}'s pods")
            ports = {p["name"] for p in pod["containers"][0]["ports"]}
            check(all(p["targetPort"] in ports for p in svc["spec"]["ports"]), f"{swhere}: targetPort not a container port")
    for where, cron in cronjobs:
        check(cron["spec"].get("concurrencyPolicy") == "Forbid", f"{where}: concurrencyPolicy should be Forbid")
        pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        check_pod(where, pod, grace, names, {})
        c = pod["containers"][0]
        check("order-sync once" in " ".join(c.get("command", []) + c.get("args", [])), f"{where}: should run `order-sync once`")


def check_dashboard(rules_out):
    dash = json.loads((ROOT / "deploy/grafana/order-sync.json").read_text())
    variables = dash.get("templating", {}).get("list", [])
    ds = [v for v in variables if v.get("type") == "datasource" and v.get("query") == "prometheus"]
    if not check(ds, "dashboard: no Prometheus data source variable"):
        return
    ds_ref = "${" + ds[0]["name"] + "}"
    exprs = []
    ids = [p["id"] for p in dash["panels"]]
    check(len(ids) == len(set(ids)), "dashboard: panel ids repeat")
    for panel in dash["panels"]:
        check("gridPos" in panel, f"dashboard: panel {panel.get('title')} has no gridPos")
        for t in panel.get("targets", []):
            check(t.get("datasource", {}).get("uid") == ds_ref, f"dashboard: {panel['title']} does not use {ds_ref}")
            exprs.append(t["expr"])
    for name in documented_series():
        check(any(re.search(rf"\b{name}(_bucket)?\b", e) for e in exprs), f"dashboard: no panel shows {name}")
    if rules_out:
        substitute = lambda e: e.replace("$__rate_interval", "5m").replace("$instance", ".*")
        rules = [{"record": f"dashboard:query{i}", "expr": substitute(e)} for i, e in enumerate(exprs)]
        Path(rules_out).write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))


def check_alert_rules():
    groups = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())["groups"]
    for rule in (r for g in groups for r in g["rules"]):
        name = rule.get("alert", rule.get("record"))
        check(rule.get("labels", {}).get("severity") in ("warning", "critical"), f"alerts.yml: {name} has no severity")
        notes = rule.get("annotations", {})
        check(notes.get("summary") and notes.get("description"), f"alerts.yml: {name} needs a summary and a description")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard-rules", metavar="PATH", help="write the dashboard's queries as recording rules")
    args = parser.parse_args()
    check_kubernetes()
    check_dashboard(args.dashboard_rules)
    check_alert_rules()
    for p in problems:
        print(f"verify-manifests: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print("verify-manifests: Kubernetes manifests, dashboard and alert rules OK")


if __name__ == "__main__":
    main()
