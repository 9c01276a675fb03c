#!/usr/bin/env python3
"""Builds the GPT-2 parity fixtures: tests/fixtures/gpt2-tiny-parity/ and tests/fixtures/gpt2-tiny-classifier/.

An independent implementation of Hugging Face GPT2Model's forward pass (pre-LN blocks, Conv1D
weights stored [in, out], tanh-GELU, causal softmax attention written out eagerly), plus the tied
language-model head of GPT2LMHeadModel and the bias-free "score" of GPT2ForSequenceClassification,
over a tiny random model. Written from the maths with plain PyTorch tensor ops, in float64.

gpt2-tiny-parity/       GPT2LMHeadModel as the Hub's gpt2 checkpoint stores it: bare names (wte.weight,
                        h.0.attn.c_attn.weight, ...) and the h.N.attn.bias causal-mask buffers;
                        reference.json holds the inputs, last hidden states (after ln_f) and LM logits.
gpt2-tiny-classifier/   GPT2ForSequenceClassification as save_pretrained writes it: transformer.* and
                        score.weight, id2label/label2id, pad_token_id; reference.json holds the logits
                        of each row's last non-padding token.

safetensors files are written by hand (Debian 12 packages neither safetensors nor transformers).
Deterministic: run it twice, get the same bytes.

Usage: /usr/bin/python3 scripts/make_gpt2_parity_fixture.py [FIXTURES_DIR]   (needs python3-torch)
"""
import json
import math
import os
import sys

import torch

import parity_fixtures

VOCAB, EMBD, LAYERS, HEADS, INNER, POSITIONS, EPS, LABELS, PAD = 64, 32, 2, 4, 64, 16, 1e-5, 3, 0


def make_params(gen):
    """Random weights; std 0.2 (not GPT-2's 0.02) so that every parameter visibly moves the outputs."""
    def normal(*shape, mean=0.0, std=0.2):
        return (torch.randn(*shape, generator=gen) * std + mean).float()

    p = {"wte.weight": normal(VOCAB, EMBD, std=1.0), "wpe.weight": normal(POSITIONS, EMBD, std=0.5)}
    for i in range(LAYERS):
        h = f"h.{i}."
        p[h + "ln_1.weight"] = normal(EMBD, mean=1.0, std=0.1)
        p[h + "ln_1.bias"] = normal(EMBD, std=0.1)
        p[h + "attn.c_attn.weight"] = normal(EMBD, 3 * EMBD)  # Conv1D: [in, out]
        p[h + "attn.c_attn.bias"] = normal(3 * EMBD, std=0.1)
        p[h + "attn.c_proj.weight"] = normal(EMBD, EMBD)
        p[h + "attn.c_proj.bias"] = normal(EMBD, std=0.1)
        p[h + "ln_2.weight"] = normal(EMBD, mean=1.0, std=0.1)
        p[h + "ln_2.bias"] = normal(EMBD, std=0.1)
        p[h + "mlp.c_fc.weight"] = normal(EMBD, INNER)
        p[h + "mlp.c_fc.bias"] = normal(INNER, std=0.1)
        p[h + "mlp.c_proj.weight"] = normal(INNER, EMBD)
        p[h + "mlp.c_proj.bias"] = normal(EMBD, std=0.1)
    p["ln_f.weight"] = normal(EMBD, mean=1.0, std=0.1)
    p["ln_f.bias"] = normal(EMBD, std=0.1)
    score = normal(LABELS, EMBD)  # nn.Linear layout [out, in], no bias
    return p, score


def layer_norm(x, w, b):
    return parity_fixtures.layer_norm(x, w, b, EPS)


def gelu_new(x):
    """The tanh approximation GPT-2 was trained with."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def conv1d(x, p, name):
    """GPT-2's Conv1D is a linear map whose weight is stored [in, out]: x @ W + b."""
    return x @ p[name + ".weight"] + p[name + ".bias"]


def gpt2_forward(p, ids, mask):
    """GPT2Model in eval mode (no dropout), positions 0..seq-1; returns the states after ln_f."""
    p = {k: v.double() for k, v in p.items()}
    batch, seq = ids.shape
    d = EMBD // HEADS
    x = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(seq)][None]
    # Query i may read key j when j <= i and j is a real token.
    allowed = torch.ones(seq, seq, dtype=torch.bool).tril()[None, None] & mask.bool()[:, None, None, :]
    for i in range(LAYERS):
        h = f"h.{i}."
        a = layer_norm(x, p[h + "ln_1.weight"], p[h + "ln_1.bias"])
        q, k, v = conv1d(a, p, h + "attn.c_attn").split(EMBD, dim=-1)
        q, k, v = (t.view(batch, seq, HEADS, d).permute(0, 2, 1, 3) for t in (q, k, v))
        scores = (q @ k.transpose(-1, -2) / math.sqrt(d)).masked_fill(~allowed, float("-inf"))
        context = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(batch, seq, EMBD)
        x = x + conv1d(context, p, h + "attn.c_proj")
        m = layer_norm(x, p[h + "ln_2.weight"], p[h + "ln_2.bias"])
        x = x + conv1d(gelu_new(conv1d(m, p, h + "mlp.c_fc")), p, h + "mlp.c_proj")
    return layer_norm(x, p["ln_f.weight"], p["ln_f.bias"])


def config(architecture, **extra):
    c = {
        "architectures": [architecture], "model_type": "gpt2", "vocab_size": VOCAB, "n_positions": POSITIONS,
        "n_embd": EMBD, "n_layer": LAYERS, "n_head": HEADS, "n_inner": INNER, "activation_function": "gelu_new",
        "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "layer_norm_epsilon": EPS,
        "initializer_range": 0.02, "bos_token_id": 2, "eos_token_id": 3, "scale_attn_weights": True,
    }
    c.update(extra)
    return c


def write(directory, config_json, tensors, reference):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config_json, f, indent=2)
    parity_fixtures.write_safetensors(os.path.join(directory, "model.safetensors"), tensors)
    with open(os.path.join(directory, "reference.json"), "w") as f:
        json.dump(reference, f)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
    gen = torch.Generator().manual_seed(20240602)
    params, score = make_params(gen)
    ids = torch.tensor([[2, 17, 33, 5, 61, 9, 3], [2, 40, 41, 3, 0, 0, 0], [2, 8, 3, 0, 0, 0, 0]], dtype=torch.long)
    mask = (ids != PAD).long()
    with torch.no_grad():
        hidden = gpt2_forward(params, ids, mask)
        lm_logits = hidden @ params["wte.weight"].double().T  # lm_head is tied to wte
        last = mask.sum(1) - 1  # rows are right-padded, so the last real token is at length - 1
        sequence_logits = hidden[torch.arange(ids.shape[0]), last] @ score.double().T
    rounded = lambda t: [round(v, 7) for v in t.flatten().tolist()]
    inputs = {"input_ids": ids.tolist(), "attention_mask": mask.tolist()}

    hub = dict(params)
    causal = torch.ones(POSITIONS, POSITIONS).tril()[None, None]
    for i in range(LAYERS):
        hub[f"h.{i}.attn.bias"] = causal  # the buffer the Hub's gpt2 checkpoint carries; a loader must ignore it
    write(os.path.join(out, "gpt2-tiny-parity"), config("GPT2LMHeadModel"), hub, {
        **inputs,
        "last_hidden_state_shape": list(hidden.shape), "last_hidden_state": rounded(hidden),
        "lm_logits_shape": list(lm_logits.shape), "lm_logits": rounded(lm_logits),
    })

    labels = ["negative", "neutral", "positive"]
    classifier = {"transformer." + k: v for k, v in params.items()}
    classifier["score.weight"] = score
    write(os.path.join(out, "gpt2-tiny-classifier"), config(
        "GPT2ForSequenceClassification", pad_token_id=PAD,
        id2label={str(i): name for i, name in enumerate(labels)}, label2id={name: i for i, name in enumerate(labels)},
    ), classifier, {**inputs, "logits_shape": list(sequence_logits.shape), "logits": rounded(sequence_logits)})


if __name__ == "__main__":
    main()
