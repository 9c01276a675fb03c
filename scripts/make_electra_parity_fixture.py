#!/usr/bin/env python3
"""Builds the ELECTRA discriminator parity fixture tests/fixtures/electra-tiny-parity/, or scores a saved directory.

An independent implementation of Hugging Face ElectraForPreTraining's forward pass (the discriminator), written with
plain PyTorch tensor ops and eager softmax attention: embeddings (word + position + token type 0, LayerNorm), the
optional embeddings_project when embedding_size differs from hidden_size, post-LN encoder layers with erf GELU, then
discriminator_predictions: dense, the config's activation, dense_prediction -> one logit per token. It reads the
weights from a model directory on disk (config.json + model.safetensors), under the library's names (bert.*, as
`llmft pretrain --objective electra` saves the discriminator) or HF ELECTRA's (electra.*).

  make_electra_parity_fixture.py [FIXTURES_DIR]     writes a tiny random directory in the library's ELECTRA layout
                                                    (bert.*, bert.pooler.*, discriminator_predictions.*, generator.*),
                                                    then reads it back and writes reference.json with the logits
  make_electra_parity_fixture.py --score DIR IDS    prints the discriminator logits of a saved directory for one row
                                                    of comma-separated ids (to check a real `llmft pretrain` output)

Needs python3-torch only (Debian 12 packages neither safetensors nor transformers). Deterministic.
"""
import json
import math
import os
import sys

import torch

import parity_fixtures

VOCAB, HIDDEN, LAYERS, HEADS, INTERMEDIATE, MAX_POS, TYPES, EPS = 64, 32, 2, 4, 64, 16, 2, 1e-12
GENERATOR = 8  # the generator's width: a quarter of the discriminator's (not used by the discriminator's forward)


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


ACTIVATIONS = {"gelu": gelu, "gelu_new": gelu_new, "relu": torch.relu}


def linear(x, p, name):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def discriminator_forward(directory, ids, mask):
    """ElectraForPreTraining in eval mode (no dropout), token type 0, positions 0..seq-1; returns logits [batch, seq]."""
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    p = parity_fixtures.read_safetensors(os.path.join(directory, "model.safetensors"))
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in p else "electra."
    hidden, heads, eps = config["hidden_size"], config["num_attention_heads"], config.get("layer_norm_eps", 1e-12)
    act = ACTIVATIONS[config.get("hidden_act", "gelu")]
    batch, seq = ids.shape
    d = hidden // heads

    def ln(x, name):
        return parity_fixtures.layer_norm(x, p[name + ".weight"], p[name + ".bias"], eps)

    e = prefix + "embeddings."
    x = p[e + "word_embeddings.weight"][ids] + p[e + "position_embeddings.weight"][torch.arange(seq)][None] \
        + p[e + "token_type_embeddings.weight"][0][None, None]
    x = ln(x, e + "LayerNorm")
    if prefix + "embeddings_project.weight" in p:
        x = linear(x, p, prefix + "embeddings_project")
    additive = (1.0 - mask.float())[:, None, None, :] * torch.finfo(torch.float32).min
    for i in range(config["num_hidden_layers"]):
        l = f"{prefix}encoder.layer.{i}."

        def split(t):
            return t.view(batch, seq, heads, d).permute(0, 2, 1, 3)
        q, k, v = (split(linear(x, p, l + f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
        context = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(batch, seq, hidden)
        a = ln(linear(context, p, l + "attention.output.dense") + x, l + "attention.output.LayerNorm")
        x = ln(linear(act(linear(a, p, l + "intermediate.dense")), p, l + "output.dense") + a, l + "output.LayerNorm")
    h = act(linear(x, p, "discriminator_predictions.dense"))
    return linear(h, p, "discriminator_predictions.dense_prediction").squeeze(-1)


def make_params(gen):
    """Random weights in the library's ELECTRA layout; std 0.2 (not 0.02) so that every parameter visibly moves the logits."""
    def normal(*shape, mean=0.0, std=0.2):
        return (torch.randn(*shape, generator=gen) * std + mean).float()

    def dense(p, name, out, inp):
        p[name + ".weight"] = normal(out, inp)
        p[name + ".bias"] = normal(out, std=0.1)

    def norm(p, name, width):
        p[name + ".weight"] = normal(width, mean=1.0, std=0.1)
        p[name + ".bias"] = normal(width, std=0.1)

    def layers(p, prefix, width, inner, count):
        for i in range(count):
            l = f"{prefix}encoder.layer.{i}."
            for name in ("query", "key", "value"):
                dense(p, l + f"attention.self.{name}", width, width)
            dense(p, l + "attention.output.dense", width, width)
            norm(p, l + "attention.output.LayerNorm", width)
            dense(p, l + "intermediate.dense", inner, width)
            dense(p, l + "output.dense", width, inner)
            norm(p, l + "output.LayerNorm", width)

    p = {}
    e = "bert.embeddings."
    p[e + "word_embeddings.weight"] = normal(VOCAB, HIDDEN, std=1.0)
    p[e + "position_embeddings.weight"] = normal(MAX_POS, HIDDEN, std=1.0)
    p[e + "token_type_embeddings.weight"] = normal(TYPES, HIDDEN, std=1.0)
    norm(p, e + "LayerNorm", HIDDEN)
    layers(p, "bert.", HIDDEN, INTERMEDIATE, LAYERS)
    dense(p, "bert.pooler.dense", HIDDEN, HIDDEN)
    dense(p, "discriminator_predictions.dense", HIDDEN, HIDDEN)
    dense(p, "discriminator_predictions.dense_prediction", 1, HIDDEN)
    # the generator, as saved beside the discriminator; the discriminator's forward never reads it
    dense(p, "generator.embeddings_project", GENERATOR, HIDDEN)
    layers(p, "generator.", GENERATOR, 4 * GENERATOR, LAYERS)
    dense(p, "generator.predictions.transform.dense", HIDDEN, GENERATOR)
    norm(p, "generator.predictions.transform.LayerNorm", HIDDEN)
    p["generator.predictions.bias"] = normal(VOCAB, std=0.1)
    return p


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--score":
        ids = torch.tensor([[int(i) for i in sys.argv[3].split(",")]], dtype=torch.long)
        with torch.no_grad():
            print(json.dumps([round(v, 6) for v in discriminator_forward(sys.argv[2], ids, torch.ones_like(ids)).flatten().tolist()]))
        return
    out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures"), "electra-tiny-parity")
    os.makedirs(out, exist_ok=True)
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": VOCAB, "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": INTERMEDIATE,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": MAX_POS, "type_vocab_size": TYPES, "layer_norm_eps": EPS,
        "initializer_range": 0.02, "pad_token_id": 0, "position_embedding_type": "absolute",
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    parity_fixtures.write_safetensors(os.path.join(out, "model.safetensors"), make_params(torch.Generator().manual_seed(20261207)))
    ids = torch.tensor([[2, 17, 33, 5, 61, 9, 3], [2, 40, 41, 3, 0, 0, 0], [2, 8, 3, 0, 0, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    with torch.no_grad():
        logits = discriminator_forward(out, ids, mask)  # read back from disk, as from any saved directory
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "discriminator_logits_shape": list(logits.shape),
                   "discriminator_logits": [round(v, 7) for v in logits.flatten().tolist()]}, f)


if __name__ == "__main__":
    main()
