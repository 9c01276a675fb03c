#!/usr/bin/python3
"""Summarises a benchmarks/compare/run.sh result folder as Markdown (stdlib only).
   summarize.py OUT_DIR"""
import glob, json, os, re, statistics as st, sys

out = sys.argv[1]


def load(pattern):
    return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(out, pattern)))]


def rounds(prefix, model):
    files = glob.glob(os.path.join(out, "steps", f"{prefix}_{model}_r*.json"))
    return {int(re.search(r"_r(\d+)\.json$", f).group(1)): json.load(open(f)) for f in files}


print(open(os.path.join(out, "env.txt")).read().strip().replace("\n", "  \n"))
print()
models = sorted({re.match(r"py_(.+)_r\d+\.json", os.path.basename(f)).group(1)
                 for f in glob.glob(os.path.join(out, "steps", "py_*_r*.json"))})
if models:
    cols = [("ours", "LlmFineTune (Trainer)"), ("ourstext", "LlmFineTune, text path"),
            ("oursoff", "LlmFineTune, defaults off"), ("bare", "bare TorchSharp")]
    present = [(p, n) for p, n in cols if any(rounds(p, m) for m in models)]
    print("| model | PyTorch ms/step | " + " | ".join(f"{n} ms/step | ratio" for _, n in present) + " |")
    print("|---|---:|" + "---:|---:|" * len(present))
    for m in models:
        py = rounds("py", m)
        row = [m, f"{st.median(j['median_ms'] for j in py.values()):.2f}"]
        for p, _ in present:
            other = rounds(p, m)
            if not other:
                row += ["", ""]
                continue
            ratios = [other[r]["median_ms"] / py[r]["median_ms"] for r in other if r in py]
            row += [f"{st.median(j['median_ms'] for j in other.values()):.2f}", f"{st.median(ratios):.2f}"]
        print("| " + " | ".join(row) + " |")
    print()
    print("ratio = median over rounds of (ms/step ÷ PyTorch's ms/step in the same round); "
          f"{len(rounds('py', models[0]))} rounds. Per-round medians:")
    for m in models:
        for p in ["py"] + [p for p, _ in present]:
            rs = rounds(p, m)
            if rs:
                print(f"- {m} {p}: " + ", ".join(f"{rs[r]['median_ms']:.2f}" for r in sorted(rs))
                      + f" (minor faults/step: " + ", ".join(f"{rs[r].get('minor_faults_per_step', 0):.0f}" for r in sorted(rs)) + ")")
        text = rounds("ourstext", m)
        if text:
            print(f"- {m} data preparation (tokenize + collate one batch, measured alone): "
                  + ", ".join(f"{j['collate_ms']:.3f} ms = {100 * j['collate_share']:.1f} %" for j in text.values()) + " of a step")
    print()

ft = {}
for f in sorted(glob.glob(os.path.join(out, "e2e", "fasttext_r*.txt"))):
    for line in open(f):
        kv = dict(x.split("=") for x in line.split())
        ft.setdefault(int(kv["epochs"]), []).append(kv)
ours = load("e2e/ours_r*.json")
if ft or ours:
    print("| end-to-end on debian-sections-topical | train s (median) | accuracy | macro-F1 |")
    print("|---|---:|---:|---:|")
    for e, runs in sorted(ft.items()):
        print(f"| fastText supervised, {e} epochs (lr 0.5, bigrams, dim 64, 2 threads) | "
              f"{st.median(float(k['train_s']) for k in runs):.2f} | {runs[0]['accuracy']} | {runs[0]['macroF1']} |")
    if ours:
        j = ours[0]
        print(f"| LlmFineTune bag ({j['epochs']} epochs, AdamW lr {j['lr']}, batch {j['batch']}, {j['buckets']} buckets, dim {j['dim']}, {j['threads']} threads) | "
              f"{st.median(o['train_s'] for o in ours):.2f} | {st.median(o['accuracy'] for o in ours):.4f} | {st.median(o['macro_f1'] for o in ours):.4f} |")
        if "collate_share" in j:
            print(f"\ninline data preparation (tokenize + collate) in our end-to-end run: "
                  + ", ".join(f"{100 * o['collate_share']:.1f} %" for o in ours) + " of the training time")
        for e, runs in sorted(ft.items()):
            n = min(len(runs), len(ours))
            ratios = [ours[i]["train_s"] / float(runs[i]["train_s"]) for i in range(n)]
            print(f"\ntrain-time ratio ours / fastText {e} epochs: {st.median(ratios):.2f} (median of {n} alternations)")
    print()

soak = os.path.join(out, "soak_bag.json")
if os.path.exists(soak):
    j = json.load(open(soak))
    print(f"soak (bag, {j['steps']} steps after {j['warmup']} warm-up): RSS {j['rss_start_mb']} -> {j['rss_end_mb']} MB "
          f"(growth {j['rss_growth_mb']} MB), live tensors {j['live_tensors_start']} -> {j['live_tensors_end']}, "
          f"median {j['median_ms']:.2f} ms/step; RSS every 250 steps: " + " ".join(str(s["rss_mb"]) for s in j.get("samples", [])))
