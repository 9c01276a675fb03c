#!/usr/bin/env python3
"""Builds the BERT parity fixtures: tests/fixtures/bert-tiny-parity/ and tests/fixtures/bert-tiny-classifier/.

An independent implementation of Hugging Face BertModel's forward pass (plus the BertForMaskedLM
prediction head and BertForSequenceClassification's classifier), written with plain PyTorch tensor
ops and eager softmax attention, over a tiny random model with HF parameter names. Writes
config.json, model.safetensors (by hand: Debian 12 packages neither safetensors nor transformers)
and reference.json. Deterministic: run it twice, get the same bytes.

bert-tiny-parity/       BertForMaskedLM; reference.json holds the inputs, last hidden states, pooled
                        output and MLM logits.
bert-tiny-classifier/   BertForSequenceClassification as save_pretrained writes it: bert.* (pooler
                        included) and classifier.*, config with id2label (string keys), label2id,
                        problem_type and the keys transformers adds (torch_dtype, transformers_version,
                        _name_or_path, classifier_dropout: null); reference.json holds the logits
                        classifier(tanh(pooler.dense(h[:, 0]))) and their softmax, for a right-padded batch.

Usage: /usr/bin/python3 scripts/make_bert_parity_fixture.py [FIXTURES_DIR]   (needs python3-torch)
"""
import json
import math
import os
import sys

import torch

import parity_fixtures

VOCAB, HIDDEN, LAYERS, HEADS, INTERMEDIATE, MAX_POS, TYPES, EPS = 64, 32, 2, 4, 64, 16, 2, 1e-12


def make_params(gen):
    """Random weights; std 0.2 (not BERT's 0.02) so that every parameter visibly moves the outputs."""
    def normal(*shape, mean=0.0, std=0.2):
        return (torch.randn(*shape, generator=gen) * std + mean).float()

    p = {}
    e = "bert.embeddings."
    p[e + "word_embeddings.weight"] = normal(VOCAB, HIDDEN, std=1.0)
    p[e + "position_embeddings.weight"] = normal(MAX_POS, HIDDEN, std=1.0)
    p[e + "token_type_embeddings.weight"] = normal(TYPES, HIDDEN, std=1.0)
    p[e + "LayerNorm.weight"] = normal(HIDDEN, mean=1.0, std=0.1)
    p[e + "LayerNorm.bias"] = normal(HIDDEN, std=0.1)
    for i in range(LAYERS):
        l = f"bert.encoder.layer.{i}."
        for name in ("query", "key", "value"):
            p[l + f"attention.self.{name}.weight"] = normal(HIDDEN, HIDDEN)
            p[l + f"attention.self.{name}.bias"] = normal(HIDDEN, std=0.1)
        p[l + "attention.output.dense.weight"] = normal(HIDDEN, HIDDEN)
        p[l + "attention.output.dense.bias"] = normal(HIDDEN, std=0.1)
        p[l + "attention.output.LayerNorm.weight"] = normal(HIDDEN, mean=1.0, std=0.1)
        p[l + "attention.output.LayerNorm.bias"] = normal(HIDDEN, std=0.1)
        p[l + "intermediate.dense.weight"] = normal(INTERMEDIATE, HIDDEN)
        p[l + "intermediate.dense.bias"] = normal(INTERMEDIATE, std=0.1)
        p[l + "output.dense.weight"] = normal(HIDDEN, INTERMEDIATE)
        p[l + "output.dense.bias"] = normal(HIDDEN, std=0.1)
        p[l + "output.LayerNorm.weight"] = normal(HIDDEN, mean=1.0, std=0.1)
        p[l + "output.LayerNorm.bias"] = normal(HIDDEN, std=0.1)
    p["bert.pooler.dense.weight"] = normal(HIDDEN, HIDDEN)
    p["bert.pooler.dense.bias"] = normal(HIDDEN, std=0.1)
    c = "cls.predictions."
    p[c + "transform.dense.weight"] = normal(HIDDEN, HIDDEN)
    p[c + "transform.dense.bias"] = normal(HIDDEN, std=0.1)
    p[c + "transform.LayerNorm.weight"] = normal(HIDDEN, mean=1.0, std=0.1)
    p[c + "transform.LayerNorm.bias"] = normal(HIDDEN, std=0.1)
    p[c + "bias"] = normal(VOCAB, std=0.1)
    return p


def layer_norm(x, w, b):
    return parity_fixtures.layer_norm(x, w, b, EPS)


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def linear(x, p, name):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def bert_forward(p, ids, mask):
    """BertModel in eval mode (no dropout), token type 0, positions 0..seq-1."""
    batch, seq = ids.shape
    d = HIDDEN // HEADS
    x = p["bert.embeddings.word_embeddings.weight"][ids] \
        + p["bert.embeddings.position_embeddings.weight"][torch.arange(seq)][None] \
        + p["bert.embeddings.token_type_embeddings.weight"][0][None, None]
    x = layer_norm(x, p["bert.embeddings.LayerNorm.weight"], p["bert.embeddings.LayerNorm.bias"])
    additive = (1.0 - mask.float())[:, None, None, :] * torch.finfo(torch.float32).min
    for i in range(LAYERS):
        l = f"bert.encoder.layer.{i}."
        def heads(t):
            return t.view(batch, seq, HEADS, d).permute(0, 2, 1, 3)
        q = heads(linear(x, p, l + "attention.self.query"))
        k = heads(linear(x, p, l + "attention.self.key"))
        v = heads(linear(x, p, l + "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
        context = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(batch, seq, HIDDEN)
        a = layer_norm(linear(context, p, l + "attention.output.dense") + x,
                       p[l + "attention.output.LayerNorm.weight"], p[l + "attention.output.LayerNorm.bias"])
        h = gelu(linear(a, p, l + "intermediate.dense"))
        x = layer_norm(linear(h, p, l + "output.dense") + a,
                       p[l + "output.LayerNorm.weight"], p[l + "output.LayerNorm.bias"])
    pooled = torch.tanh(linear(x[:, 0], p, "bert.pooler.dense"))
    t = gelu(linear(x, p, "cls.predictions.transform.dense"))
    t = layer_norm(t, p["cls.predictions.transform.LayerNorm.weight"], p["cls.predictions.transform.LayerNorm.bias"])
    mlm = t @ p["bert.embeddings.word_embeddings.weight"].T + p["cls.predictions.bias"]
    return x, pooled, mlm


def write(directory, config, tensors, reference):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    parity_fixtures.write_safetensors(os.path.join(directory, "model.safetensors"), tensors)
    with open(os.path.join(directory, "reference.json"), "w") as f:
        json.dump(reference, f)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
    gen = torch.Generator().manual_seed(20240601)
    params = make_params(gen)
    labels = ["negative", "neutral", "positive"]
    classifier = {"classifier.weight": (torch.randn(len(labels), HIDDEN, generator=gen) * 0.5).float(),
                  "classifier.bias": (torch.randn(len(labels), generator=gen) * 0.1).float()}
    ids = torch.tensor([[2, 17, 33, 5, 61, 9, 3], [2, 40, 41, 3, 0, 0, 0], [2, 8, 3, 0, 0, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    with torch.no_grad():
        hidden, pooled, mlm = bert_forward(params, ids, mask)
        logits = linear(pooled, classifier, "classifier")  # dropout is the identity in eval mode
    config = {
        "architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": VOCAB, "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": INTERMEDIATE,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": MAX_POS, "type_vocab_size": TYPES, "layer_norm_eps": EPS,
        "initializer_range": 0.02, "pad_token_id": 0,
    }
    rounded = lambda t: [round(v, 7) for v in t.flatten().tolist()]
    inputs = {"input_ids": ids.tolist(), "attention_mask": mask.tolist()}
    write(os.path.join(out, "bert-tiny-parity"), config, params, {
        **inputs,
        "last_hidden_state_shape": list(hidden.shape), "last_hidden_state": rounded(hidden),
        "pooler_output_shape": list(pooled.shape), "pooler_output": rounded(pooled),
        "mlm_logits_shape": list(mlm.shape), "mlm_logits": rounded(mlm),
    })

    # save_pretrained's config: its own keys first, sorted, plus what it adds.
    hf = dict(config, architectures=["BertForSequenceClassification"], classifier_dropout=None, _name_or_path="./bert-tiny-sentiment",
              id2label={str(i): name for i, name in enumerate(labels)}, label2id={name: i for i, name in enumerate(labels)},
              problem_type="single_label_classification", torch_dtype="float32", transformers_version="4.44.2",
              position_embedding_type="absolute", use_cache=True)
    weights = {k: v for k, v in params.items() if not k.startswith("cls.")}
    weights.update(classifier)
    write(os.path.join(out, "bert-tiny-classifier"), dict(sorted(hf.items())), weights, {
        **inputs, "logits_shape": list(logits.shape), "logits": rounded(logits),
        "probabilities_shape": list(logits.shape), "probabilities": rounded(torch.softmax(logits, -1)),
    })


if __name__ == "__main__":
    main()
