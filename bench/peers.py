#!/usr/bin/env python3
"""Side-by-side with peers on the same Oxfordshire graph and populations (not part of the tests).

Run from the repository root with ../shared/data present:  bash bench/peers.sh
It measures, in one run on one machine:
  * PySAL spopt MaxPHeuristic (floor 40,000 people) and SKATER (14 regions);
  * GerryChain ReCom (14 districts, ±20%) seconds per step;
  * footprints: whole build (SNPs in LADs, MNPs in 2UA), and ReCom proposals per second;
  * spopt.locate PMedian / MCLP (exact, CBC via PuLP) against footprints `site` on the same instance.
"""
import json, math, subprocess, sys, time, os, csv, tempfile
import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
fp = os.path.join(root, "target/release/footprints")
scen = os.path.join(root, "tests/scenarios/oxfordshire.toml")
tmp = tempfile.mkdtemp()
out = {}

subprocess.run([fp, "graph", "-s", scen, "-o", f"{tmp}/g.json"], check=True, capture_output=True)
g = json.load(open(f"{tmp}/g.json"))
nodes, edges = g["nodes"], g["edges"]
n = len(nodes)
pop = np.array([x["population"] for x in nodes], dtype=float)
nbrs = {i: [] for i in range(n)}
for e in edges:
    nbrs[e["a"]].append(e["b"]); nbrs[e["b"]].append(e["a"])

def connected(members):
    s = set(members); seen = {members[0]}; st = [members[0]]
    while st:
        v = st.pop()
        for w in nbrs[v]:
            if w in s and w not in seen:
                seen.add(w); st.append(w)
    return len(seen) == len(s)

def evaluate(labels, name, secs, target=50000.0):
    regions = {}
    for i, l in enumerate(labels):
        regions.setdefault(l, []).append(i)
    pops = [pop[m].sum() for m in regions.values()]
    dev = max(abs(p - target) / target for p in pops) * 100
    contiguous = all(connected(m) for m in regions.values())
    # PCN split: residents of each (nearest-practice) PCN outside its main region.
    pcn = {}
    for i, x in enumerate(nodes):
        pcn.setdefault(x["pcn"], {}).setdefault(labels[i], 0.0)
        pcn[x["pcn"]][labels[i]] += pop[i]
    split = sum(sum(v.values()) - max(v.values()) for v in pcn.values()) / pop.sum() * 100
    out[name] = {"seconds": round(secs, 4), "regions": len(regions), "max_dev_pct": round(dev, 1), "contiguous": contiguous, "pcn_split_pct": round(split, 1)}
    print(f"{name:40s} {secs:9.3f} s  regions {len(regions):3d}  max |dev| {dev:6.1f}%  contiguous {contiguous}  PCN split {split:5.1f}%", flush=True)

# --- footprints build ---
t = time.perf_counter()
subprocess.run([fp, "build", "-s", scen, "-o", f"{tmp}/b", "--mnp-layer", "2UA", "--options", "1"], check=True, capture_output=True)
secs = time.perf_counter() - t
codes = [x["code"] for x in nodes]
lk = {r["lsoa_code"]: r["snp_id"] for r in csv.DictReader(open(f"{tmp}/b/option-1/lookup.csv"))}
fp_labels = [lk[c] for c in codes]
evaluate(fp_labels, "footprints build (1 option, CLI incl. I/O)", secs)
run = json.load(open(f"{tmp}/b/option-1/run.json"))
props = run["recom_proposals"]

if os.environ.get("PEERS_SKIP_MAXP"):
    print("skipping spopt max-p (PEERS_SKIP_MAXP set)")
# --- spopt max-p and SKATER ---
import geopandas as gpd, libpysal
from shapely.geometry import Point
from spopt.region import MaxPHeuristic, Skater
gdf = gpd.GeoDataFrame({"pop": pop, "z": pop / pop.mean()}, geometry=[Point(x["x"], x["y"]) for x in nodes])
w = libpysal.weights.W({i: nbrs[i] for i in range(n)}, silence_warnings=True)
if not os.environ.get("PEERS_SKIP_MAXP"):
    t = time.perf_counter()
    m = MaxPHeuristic(gdf, w, ["z"], "pop", 40000, top_n=2)
    m.solve()
    evaluate(list(m.labels_), "spopt MaxPHeuristic (floor 40,000)", time.perf_counter() - t)
t = time.perf_counter()
sk = Skater(gdf, w, ["z"], n_clusters=14, floor=20, trace=False, islands="increase")
sk.solve()
evaluate(list(sk.labels_), "spopt SKATER (14 regions, floor 20 LSOAs)", time.perf_counter() - t)

# --- GerryChain ReCom ---
import networkx as nx
from functools import partial
from gerrychain import Graph, Partition, MarkovChain, constraints, accept
from gerrychain.proposals import recom
from gerrychain.updaters import Tally
G = nx.Graph()
for i in range(n):
    G.add_node(i, population=float(pop[i]))
for e in edges:
    G.add_edge(e["a"], e["b"])
gg = Graph.from_networkx(G)
init = {i: fp_labels[i] for i in range(n)}
part = Partition(gg, assignment=init, updaters={"population": Tally("population", alias="population")})
ideal = pop.sum() / len(set(fp_labels))
proposal = partial(recom, pop_col="population", pop_target=ideal, epsilon=0.2, node_repeats=1)
steps = 200
chain = MarkovChain(proposal=proposal, constraints=[constraints.contiguous], accept=accept.always_accept, initial_state=part, total_steps=steps)
t = time.perf_counter()
last = None
for last in chain:
    pass
gc_secs = time.perf_counter() - t
labels = [last.assignment[i] for i in range(n)]
evaluate(labels, f"GerryChain ReCom ({steps} steps)", gc_secs)
out["gerrychain_seconds_per_step"] = gc_secs / steps

# footprints ReCom rate: (time with 2,000 proposals per SNP − time with none) / proposals, best of 3 each.
def best_of(steps):
    best = 1e9
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([fp, "build", "-s", scen, "-o", f"{tmp}/b{steps}", "--mnp-layer", "2UA", "--options", "1", "--steps", str(steps)], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t)
    return best
t_long, t0 = best_of(2000), best_of(0)
with open(f"{tmp}/b2000/option-1/run.json") as f:
    p_long = json.load(f)["recom_proposals"]
fp_step = (t_long - t0) / p_long
out["footprints_seconds_per_recom_step"] = fp_step
print(f"ReCom seconds per step: GerryChain {gc_secs/steps*1000:.2f} ms, footprints {fp_step*1e6:.1f} µs  → ratio {gc_secs/steps/fp_step:.0f}×", flush=True)

# --- spopt.locate vs footprints site on the Oxfordshire instance (k = 10, α = 0) ---
from spopt.locate import PMedian, MCLP
import pulp
prac = list(csv.DictReader(open(os.path.join(root, "../shared/data/oxfordshire/gp/oxon_practices_2026-04.csv"))))
cx = np.array([[float(r["easting_bng"]), float(r["northing_bng"])] for r in prac])
dx = np.array([[x["x"], x["y"]] for x in nodes])
cost = np.sqrt(((dx[:, None, :] - cx[None, :, :]) ** 2).sum(-1)) / 1000.0
solver = pulp.PULP_CBC_CMD(msg=False)
t = time.perf_counter()
pm = PMedian.from_cost_matrix(cost, pop, p_facilities=10)
pm = pm.solve(solver)
sp_secs = time.perf_counter() - t
sp_val = pulp.value(pm.problem.objective)
t = time.perf_counter()
r = subprocess.run([fp, "site", "-s", scen, "--k", "10", "--alpha", "0", "-o", f"{tmp}/s"], check=True, capture_output=True)
fs_secs = time.perf_counter() - t
fs = json.load(open(f"{tmp}/s/site.json"))["solutions"][0]
print(f"p-median k=10: spopt (CBC, exact) {sp_val:.1f} in {sp_secs:.2f} s; footprints {fs['value']:.1f} (exact={fs['exact']}, bound {fs['lower_bound']:.1f}) in {fs_secs:.2f} s incl. load", flush=True)
out["pmedian"] = {"spopt_value": sp_val, "spopt_seconds": sp_secs, "footprints_value": fs["value"], "footprints_bound": fs["lower_bound"], "footprints_seconds": fs_secs}
t = time.perf_counter()
mc = MCLP.from_cost_matrix(cost, pop, service_radius=5.0, p_facilities=10)
mc = mc.solve(solver)
mc_secs = time.perf_counter() - t
mc_val = pulp.value(mc.problem.objective)
subprocess.run([fp, "site", "-s", scen, "--k", "10", "--alpha", "0", "--objective", "coverage", "--radius-km", "5", "-o", f"{tmp}/c"], check=True, capture_output=True)
fc = json.load(open(f"{tmp}/c/site.json"))["solutions"][0]
print(f"MCLP k=10 r=5 km: spopt (exact) covers {mc_val:.0f} in {mc_secs:.2f} s; footprints covers {fc['value']:.0f} (exact={fc['exact']})", flush=True)
out["mclp"] = {"spopt_covered": mc_val, "spopt_seconds": mc_secs, "footprints_covered": fc["value"]}
json.dump(out, open(os.path.join(tmp, "peers.json"), "w"), indent=1)
print(json.dumps(out, indent=1))
