#!/usr/bin/env python3
"""Checks deploy/: every YAML file parses, the Kubernetes manifests are namespace-agnostic and consistent,
and every Gateway:* key used (environment variables, the ConfigMap's JSON) exists in GatewayOptions.cs.
Needs python3-yaml (apt-get install python3-yaml). Run from anywhere: python3 deploy/check.py"""
import os
os.chdir(os.path.dirname(os.path.abspath(__file__)))
import yaml, json, re, sys, glob
ok = True
# 1. YAML syntax (every document of every file)
docs = {}
for f in sorted(glob.glob('compose/*.yaml') + glob.glob('kubernetes/*.yaml')):
    with open(f) as fh:
        docs[f] = [d for d in yaml.safe_load_all(fh) if d is not None]
    print(f"{f}: {len(docs[f])} document(s) OK")
# 2. Kubernetes structure
for f, ds in docs.items():
    if not f.startswith('kubernetes/') or f.endswith('kustomization.yaml'):
        continue
    for d in ds:
        for key in ('apiVersion', 'kind', 'metadata'):
            if key not in d:
                print(f"  {f}: missing {key}"); ok = False
        if 'namespace' in d.get('metadata', {}):
            print(f"  {f}: has a namespace (should be namespace-agnostic)"); ok = False
        if d['kind'] == 'Deployment':
            sel = d['spec']['selector']['matchLabels']; lab = d['spec']['template']['metadata']['labels']
            if any(lab.get(k) != v for k, v in sel.items()):
                print(f"  {f}: selector does not match template labels"); ok = False
kust = docs['kubernetes/kustomization.yaml'][0]
for r in kust['resources']:
    if 'kubernetes/' + r not in docs:
        print(f"  kustomization lists missing {r}"); ok = False
# 3. Gateway keys used exist in GatewayOptions.cs
src = open('../gateway/Configuration/GatewayOptions.cs').read()
classes = dict(re.findall(r'class (\w+)\s*\n\{(.*?)\n\}', src, re.S))
def props(cls):
    return dict(re.findall(r'public (\w+)\??(?:<[^>]*>)? (\w+) \{ get; set; \}', classes[cls]))
def prop_names(cls):
    return {n: t for t, n in re.findall(r'public ([\w<>, ?]+?) (\w+) \{ get; set; \}', classes[cls])}
def check(path):
    parts = path.split(':')
    assert parts[0] == 'Gateway'
    cls = 'GatewayOptions'
    for i, p in enumerate(parts[1:]):
        names = prop_names(cls)
        match = next((n for n in names if n.lower() == p.lower()), None)
        if match is None:
            return False
        t = names[match].rstrip('?')
        if t.startswith('List<') or t.startswith('Dictionary<'):
            return True  # lists (:0) and dictionaries (any name) end the typed path
        if t in classes:
            cls = t
        elif i != len(parts) - 2:
            return False
    return True
keys = set()
env_re = re.compile(r'(Gateway__[A-Za-z0-9_]+)')
for f in glob.glob('compose/*') + glob.glob('kubernetes/*'):
    for m in env_re.findall(open(f).read()):
        keys.add(m.replace('__', ':'))
cfg = json.loads(docs['kubernetes/configmap.yaml'][0]['data']['gateway.json'])
def walk(o, prefix):
    if isinstance(o, dict):
        for k, v in o.items(): walk(v, prefix + ':' + k)
    elif isinstance(o, list):
        for i, v in enumerate(o): walk(v, prefix + ':' + str(i))
    else:
        keys.add(prefix)
walk(cfg['Gateway'], 'Gateway')
for k in sorted(keys):
    good = check(k)
    ok &= good
    print(f"  {'ok ' if good else 'BAD'} {k}")
print("ALL OK" if ok else "PROBLEMS FOUND"); sys.exit(0 if ok else 1)
