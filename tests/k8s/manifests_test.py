#!/usr/bin/python3
"""Renders every kustomization under k8s/ with `kubectl kustomize` (offline)
and checks, on the rendered objects, the properties k8s/README.md promises:
probes, security contexts, resources, read-only Secrets, network policies
(deny by default, one allow per listener and origin), the ClusterIP admin
Service, the grace period, no key or certificate in a ConfigMap, the
isolation overlay's closed external port, the cells against the cell map,
and an edge router configuration rendered from that same map.

    manifests_test.py --source_dir DIR [--kubectl PATH]

Exits 1 with one line per failed check, 0 when all hold. A missing kubectl
is a failure, never a skip.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

TPPD_PORTS = {"external": 7443, "admin": 7444, "metrics": 9464}
ALLOWED_FROM = {7443: {"tpp-ingress"}, 7444: {"tpp-operators"},
                9464: {"monitoring"}}
SECRET_MARKERS = [re.compile(p, re.M) for p in (
    r"PRIVATE KEY", r"BEGIN CERTIFICATE", r"^v\d+:[0-9a-fA-F]{64}\s*$")]
PROXY_FLAG = "--trusted_proxy_identity=spiffe://tpp.local/edge/haproxy"

failures = []


def check(condition, where, message):
    if not condition:
        failures.append("%s: %s" % (where, message))
    return condition


def render(kubectl, path):
    run = subprocess.run([kubectl, "kustomize", path], capture_output=True,
                         text=True, check=False)
    if run.returncode != 0:
        failures.append("%s: kubectl kustomize failed: %s" % (path, run.stderr))
        return []
    return [o for o in yaml.safe_load_all(run.stdout) if o]


def of_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def flags_of(objects, where):
    """tppd's flags: the flag file of the ConfigMap, then the args."""
    flags = {}
    for cm in of_kind(objects, "ConfigMap"):
        for line in cm.get("data", {}).get("tppd.flags", "").splitlines():
            if line.startswith("--") and "=" in line:
                key, value = line[2:].split("=", 1)
                flags[key] = value
    check(flags, where, "no tppd.flags ConfigMap")
    return flags


def check_container_security(c, pod_sc, where):
    sc = c.get("securityContext", {})
    check(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, where,
          "runAsNonRoot is not true")
    check(sc.get("readOnlyRootFilesystem") is True, where,
          "readOnlyRootFilesystem is not true")
    check(sc.get("allowPrivilegeEscalation") is False, where,
          "allowPrivilegeEscalation is not false")
    check("ALL" in sc.get("capabilities", {}).get("drop", []), where,
          "capabilities do not drop ALL")
    uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
    check(isinstance(uid, int) and uid > 0, where, "no non-root runAsUser")
    res = c.get("resources", {})
    for part in ("requests", "limits"):
        for what in ("cpu", "memory"):
            check(what in res.get(part, {}), where,
                  "no %s %s" % (what, part))


def check_secret_mounts(pod, containers, where):
    secrets = {v["name"] for v in pod.get("volumes", []) if "secret" in v}
    for c in containers:
        for m in c.get("volumeMounts", []):
            if m["name"] in secrets:
                check(m.get("readOnly") is True, where,
                      "Secret volume %s mounted writable in %s"
                      % (m["name"], c["name"]))


def check_pod(pod, where):
    pod_sc = pod.get("securityContext", {})
    check(pod_sc.get("runAsNonRoot") is True, where,
          "pod runAsNonRoot is not true")
    check(pod.get("automountServiceAccountToken") is False, where,
          "the service account token is mounted")
    containers = pod.get("containers", []) + pod.get("initContainers", [])
    for c in containers:
        check_container_security(c, pod_sc, "%s/%s" % (where, c["name"]))
    check_secret_mounts(pod, containers, where)


def allowed_sources(objects, where):
    """port -> namespaces admitted to tppd pods by the NetworkPolicies."""
    allowed = {}
    deny_all = False
    for np in of_kind(objects, "NetworkPolicy"):
        spec = np["spec"]
        name = np["metadata"]["name"]
        if spec.get("podSelector") == {} and not spec.get("ingress") and \
                not spec.get("egress"):
            deny_all = set(spec.get("policyTypes", [])) >= {"Ingress",
                                                           "Egress"}
            continue
        labels = spec.get("podSelector", {}).get("matchLabels", {})
        if labels.get("app.kubernetes.io/name") != "tppd":
            check(False, where, "policy %s selects other pods" % name)
            continue
        for rule in spec.get("ingress", []):
            sources = rule.get("from")
            ports = rule.get("ports")
            if not check(sources and ports, where,
                         "policy %s has a rule open to every source or port"
                         % name):
                continue
            for port in ports:
                for source in sources:
                    ns = source.get("namespaceSelector", {}).get(
                        "matchLabels", {}).get("kubernetes.io/metadata.name")
                    check(ns and set(source) == {"namespaceSelector"}, where,
                          "policy %s: a source that is not one namespace"
                          % name)
                    allowed.setdefault(port["port"], set()).add(ns)
    check(deny_all, where, "no default-deny policy (Ingress and Egress)")
    return allowed


def check_tppd(objects, where, isolated=False, cell=None):
    sts = of_kind(objects, "StatefulSet")
    if not check(len(sts) == 1, where, "not exactly one StatefulSet"):
        return
    sts = sts[0]
    spec = sts["spec"]
    check(spec.get("replicas") == 1, where, "a cell is one replica")
    pod = spec["template"]["spec"]
    check_pod(pod, where)
    tppd = [c for c in pod["containers"] if c["name"] == "tppd"]
    if not check(len(tppd) == 1, where, "no tppd container"):
        return
    tppd = tppd[0]
    flags = flags_of(objects, where)
    health = flags.get("health_listen", "")
    check(health, where, "--health_listen is not set")
    health_port = int(health.rsplit(":", 1)[1]) if health else None
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        grpc = tppd.get(probe, {}).get("grpc", {})
        check(grpc.get("port") == health_port, where,
              "%s is not a gRPC probe on the health port" % probe)
    grace_ms = int(flags.get("shutdown_grace_ms", "10000"))
    check(pod.get("terminationGracePeriodSeconds", 30) * 1000 > grace_ms,
          where, "terminationGracePeriodSeconds not above the shutdown grace")
    mounts = {m["mountPath"]: m for m in tppd.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    data = [m for m in mounts.values()
            if flags.get("data_dir", "").startswith(m["mountPath"])]
    check(data and data[0]["name"] in [t["metadata"]["name"] for t in
                                       spec.get("volumeClaimTemplates", [])],
          where, "the data directory is not on the persistent volume")
    tls = mounts.get(flags.get("tls_dir", ""))
    check(tls and "secret" in volumes.get(tls["name"], {}) and
          tls.get("readOnly") is True, where,
          "--tls_dir is not a Secret mounted read-only")
    key_dir = os.path.dirname(flags.get("master_key_file", ""))
    keys = mounts.get(key_dir)
    check(keys and keys.get("readOnly") is True and
          volumes.get(keys["name"], {}).get("emptyDir", {}).get("medium") ==
          "Memory", where,
          "the master key is not in memory, mounted read-only")
    ports = {p["name"]: p["containerPort"] for p in tppd.get("ports", [])}
    for name, port in TPPD_PORTS.items():
        check(ports.get(name) == port, where, "port %s is not %d"
              % (name, port))
        check(flags.get({"external": "listen"}.get(name, name + "_listen"),
                        "").endswith(":%d" % port), where,
              "flag of the %s listener does not use port %d" % (name, port))

    services = {s["metadata"]["name"]: s for s in of_kind(objects, "Service")}
    admin = services.get("tppd-admin")
    check(admin and admin["spec"].get("type", "ClusterIP") == "ClusterIP" and
          not admin["spec"].get("externalIPs"), where,
          "the admin Service is not ClusterIP only")
    check("tppd-external" in services, where, "no external Service")
    check(of_kind(objects, "PodDisruptionBudget"), where, "no PDB")

    allowed = allowed_sources(objects, where)
    expected = dict(ALLOWED_FROM)
    if isolated:
        expected.pop(7443)
    check(allowed == expected, where,
          "network policies admit %s, expected %s" % (
              {p: sorted(n) for p, n in allowed.items()},
              {p: sorted(n) for p, n in expected.items()}))
    if isolated:
        check(any(np["metadata"]["name"] == "tppd-isolate-external"
                  for np in of_kind(objects, "NetworkPolicy")), where,
              "no tppd-isolate-external policy")
        check(not any(np["metadata"]["name"] == "tppd-allow-external"
                      for np in of_kind(objects, "NetworkPolicy")), where,
              "tppd-allow-external is still there")

    args = tppd.get("args", [])
    if cell is not None:
        check(PROXY_FLAG in args, where, "cell without %s" % PROXY_FLAG)
        ns = sts["metadata"].get("namespace")
        for address in (cell["external"], cell["admin"]):
            check(".%s.svc" % ns in address, where,
                  "cell map address %s is not in namespace %s"
                  % (address, ns))
    else:
        check(not any("trusted_proxy" in a for a in args), where,
              "a single node believes a proxy")


def check_no_secrets(objects, where):
    check(not of_kind(objects, "Secret"), where,
          "a Secret is in the manifests (key material is made out of band)")
    for cm in of_kind(objects, "ConfigMap"):
        for key, value in cm.get("data", {}).items():
            for marker in SECRET_MARKERS:
                check(not marker.search(value), where,
                      "ConfigMap %s key %s holds key material (%s)"
                      % (cm["metadata"]["name"], key, marker.pattern))


def check_edge(objects, source_dir, where):
    deploy = of_kind(objects, "Deployment")
    if check(len(deploy) == 1, where, "not exactly one Deployment"):
        check_pod(deploy[0]["spec"]["template"]["spec"], where)
    cms = [cm for cm in of_kind(objects, "ConfigMap")
           if "haproxy.cfg" in cm.get("data", {})]
    if not check(cms, where, "no haproxy.cfg ConfigMap"):
        return
    rendered = subprocess.run(
        ["/usr/bin/python3",
         os.path.join(source_dir, "tools/cells/render-haproxy.py"),
         "--cells", os.path.join(source_dir, "k8s/cells/cells.json"),
         "--bind", ":8443", "--frontend_cert", "/etc/haproxy/tls/frontend.pem",
         "--ca", "/etc/haproxy/tls/ca.pem",
         "--client_cert", "/etc/haproxy/tls/edge.pem", "--resolvers"],
        capture_output=True, text=True, check=False)
    check(rendered.returncode == 0, where, "render-haproxy.py failed: %s"
          % rendered.stderr)
    check(cms[0]["data"]["haproxy.cfg"] == rendered.stdout, where,
          "k8s/edge/haproxy.cfg is stale: render it again from cells.json")


def check_containerfile(source_dir):
    where = "k8s/Containerfile"
    with open(os.path.join(source_dir, where), encoding="utf-8") as f:
        text = f.read()
    check(set(re.findall(r"^FROM\s+(\S+)", text, re.M)) == {"debian:12"},
          where, "every stage is FROM debian:12")
    users = re.findall(r"^USER\s+(\d+)(?::(\d+))?\s*$", text, re.M)
    check(len(users) >= 2 and all(int(u) > 0 for u, _ in users), where,
          "final stages do not run as a numeric non-root USER")
    check(not re.search(r"\b(curl|wget|git clone|pip install)\b", text),
          where, "fetches something besides apt")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source_dir", required=True)
    parser.add_argument("--kubectl", default=shutil.which("kubectl") or
                        "/usr/bin/kubectl")
    args = parser.parse_args()
    if not os.access(args.kubectl, os.X_OK):
        print("FAIL: kubectl not found (%s): the manifests cannot be rendered "
              "and checked; install kubectl" % args.kubectl)
        return 1
    k8s = os.path.join(args.source_dir, "k8s")
    with open(os.path.join(k8s, "cells/cells.json"), encoding="utf-8") as f:
        cells = json.load(f)["cells"]

    rendered = {"base": render(args.kubectl, os.path.join(k8s, "base"))}
    check_tppd(rendered["base"], "base")
    rendered["isolation"] = render(args.kubectl,
                                   os.path.join(k8s, "overlays/isolation"))
    check_tppd(rendered["isolation"], "overlays/isolation", isolated=True)
    overlays = sorted(d for d in os.listdir(os.path.join(k8s, "cells"))
                      if d.startswith("cell-"))
    check(overlays == sorted(c["name"] for c in cells), "cells",
          "overlays %s do not match the cell map %s"
          % (overlays, [c["name"] for c in cells]))
    namespaces = set()
    for cell in cells:
        where = "cells/" + cell["name"]
        objects = render(args.kubectl, os.path.join(k8s, where))
        rendered[where] = objects
        check_tppd(objects, where, cell=cell)
        namespaces.update(o["metadata"]["name"]
                          for o in of_kind(objects, "Namespace"))
    check(len(namespaces) == len(cells), "cells",
          "cells do not each have their own namespace")
    rendered["edge"] = render(args.kubectl, os.path.join(k8s, "edge"))
    check_edge(rendered["edge"], args.source_dir, "edge")
    for where, objects in rendered.items():
        check(objects, where, "rendered nothing")
        check_no_secrets(objects, where)
    check_containerfile(args.source_dir)

    for failure in failures:
        print("FAIL: " + failure)
    print("%d renders checked, %d failures" % (len(rendered), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
