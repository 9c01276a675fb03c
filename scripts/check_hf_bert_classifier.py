#!/usr/bin/env python3
"""Checks that a directory written by `llmft finetune --backbone bert-*` is exactly Hugging Face's
BertForSequenceClassification: computes that class's forward pass from the directory alone, with an
independent numpy implementation (its own WordPiece tokenization of vocab.txt, as transformers'
BertTokenizer with truncation=True, max_length=model_max_length; the weights under HF's names), and
compares the probabilities with `llmft predict`'s on the same texts.

Texts are run one at a time and again in right-padded batches (attention mask 0 on padding), as
transformers runs them. Prints the largest absolute difference of any probability; exits 1 when it
is above --tolerance.

Usage:
  python3 scripts/check_hf_bert_classifier.py MODEL_DIR TEXTS_FILE --llmft PATH/TO/llmft [--tolerance 2e-3]
  python3 scripts/check_hf_bert_classifier.py MODEL_DIR TEXTS_FILE --predictions PREDICT_OUTPUT.jsonl
TEXTS_FILE: one text per line (what `llmft predict --input` reads). Needs python3-numpy only.
"""
import argparse
import json
import struct
import subprocess
import sys
import unicodedata

import numpy as np


# ---- tokenization: transformers' BasicTokenizer + WordpieceTokenizer, from their definitions ----

def is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    return ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    def __init__(self, directory):
        with open(f"{directory}/vocab.txt", encoding="utf-8") as f:
            self.vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        with open(f"{directory}/tokenizer_config.json", encoding="utf-8") as f:
            c = json.load(f)
        self.lower = c.get("do_lower_case", True)
        self.strip_accents = c.get("strip_accents")
        self.chinese = c.get("tokenize_chinese_chars", True)
        self.max_chars = c.get("max_input_chars_per_word", 100)
        self.max_length = c["model_max_length"]
        self.unk, self.cls, self.sep, self.pad = (self.vocab[c[k]] for k in ("unk_token", "cls_token", "sep_token", "pad_token"))

    def basic(self, text):
        text = "".join(" " if is_whitespace(ch) else ch for ch in text
                       if not (ord(ch) == 0 or ord(ch) == 0xFFFD or is_control(ch)))
        if self.chinese:
            text = "".join(f" {ch} " if is_cjk(ord(ch)) else ch for ch in text)
        text = unicodedata.normalize("NFC", text)
        words = []
        for token in text.split():
            if self.lower:
                token = token.lower()
            if self.strip_accents or (self.strip_accents is None and self.lower):
                token = "".join(ch for ch in unicodedata.normalize("NFD", token) if unicodedata.category(ch) != "Mn")
            current = []
            for ch in token:
                if is_punctuation(ch):
                    if current:
                        words.append("".join(current))
                        current = []
                    words.append(ch)
                else:
                    current.append(ch)
            if current:
                words.append("".join(current))
        return words

    def pieces(self, word):
        if len(word) > self.max_chars:
            return [self.unk]
        out, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = ("##" if start > 0 else "") + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            out.append(found)
            start = end
        return out

    def encode(self, text):
        ids = [i for word in self.basic(text) for i in self.pieces(word)]
        return [self.cls] + ids[:self.max_length - 2] + [self.sep]


# ---- BertForSequenceClassification, eval mode ----

def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {entry['dtype']}; this checker reads F32 only")
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"]).astype(np.float64)
    return tensors


def erf(x):
    """Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), as numpy has no erf."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


class BertClassifier:
    def __init__(self, directory):
        with open(f"{directory}/config.json", encoding="utf-8") as f:
            self.config = json.load(f)
        c = self.config
        if c.get("architectures") != ["BertForSequenceClassification"]:
            raise SystemExit(f"{directory}/config.json claims {c.get('architectures')}, not BertForSequenceClassification")
        if c.get("hidden_act", "gelu") != "gelu" or c.get("position_embedding_type", "absolute") != "absolute":
            raise SystemExit("this checker implements hidden_act gelu and absolute positions only")
        self.p = read_safetensors(f"{directory}/model.safetensors")
        self.heads, self.layers, self.eps = c["num_attention_heads"], c["num_hidden_layers"], c.get("layer_norm_eps", 1e-12)
        self.labels = [c["id2label"][str(i)] for i in range(len(c["id2label"]))]
        self.problem = c.get("problem_type") or ("regression" if len(self.labels) == 1 else "single_label_classification")

    def layer_norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.p[name + ".weight"] + self.p[name + ".bias"]

    def linear(self, x, name):
        return x @ self.p[name + ".weight"].T + self.p[name + ".bias"]

    def probabilities(self, batch_ids, mask):
        """ids, mask: int [batch, seq] (right-padded). Returns the scores llmft predict prints, [batch, labels]."""
        p, (batch, seq) = self.p, batch_ids.shape
        x = p["bert.embeddings.word_embeddings.weight"][batch_ids] + p["bert.embeddings.position_embeddings.weight"][:seq][None] \
            + p["bert.embeddings.token_type_embeddings.weight"][0][None, None]
        x = self.layer_norm(x, "bert.embeddings.LayerNorm")
        additive = (1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min
        d = x.shape[-1] // self.heads
        for i in range(self.layers):
            l = f"bert.encoder.layer.{i}."
            split = lambda t: t.reshape(batch, seq, self.heads, d).transpose(0, 2, 1, 3)
            q, k, v = (split(self.linear(x, l + "attention.self." + n)) for n in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + additive
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True) @ v).transpose(0, 2, 1, 3).reshape(batch, seq, -1)
            a = self.layer_norm(self.linear(context, l + "attention.output.dense") + x, l + "attention.output.LayerNorm")
            h = self.linear(a, l + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = self.layer_norm(self.linear(h, l + "output.dense") + a, l + "output.LayerNorm")
        pooled = np.tanh(self.linear(x[:, 0], "bert.pooler.dense"))
        logits = self.linear(pooled, "classifier")
        if self.problem == "regression":
            return logits
        if self.problem == "multi_label_classification":
            return 1.0 / (1.0 + np.exp(-logits))
        e = np.exp(logits - logits.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)


def padded(encoded, pad):
    seq = max(len(ids) for ids in encoded)
    ids = np.array([e + [pad] * (seq - len(e)) for e in encoded])
    mask = np.array([[1] * len(e) + [0] * (seq - len(e)) for e in encoded], dtype=np.float64)
    return ids, mask


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("texts")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--llmft", help="the llmft executable: runs `llmft predict --model MODEL --input TEXTS`")
    source.add_argument("--predictions", help="the JSON lines `llmft predict` printed for TEXTS")
    parser.add_argument("--tolerance", type=float, default=2e-3)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    with open(args.texts, encoding="utf-8") as f:
        texts = f.read().split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    if args.llmft:
        output = subprocess.run([args.llmft, "predict", "--model", args.model, "--input", args.texts],
                                check=True, capture_output=True, text=True).stdout
    else:
        with open(args.predictions, encoding="utf-8") as f:
            output = f.read()
    predictions = [json.loads(line) for line in output.splitlines() if line.strip()]
    if len(predictions) != len(texts):
        raise SystemExit(f"{len(texts)} texts but {len(predictions)} predictions")

    tokenizer, model = WordPiece(args.model), BertClassifier(args.model)
    ours = np.array([[p["scores"][label] for label in model.labels] for p in predictions])
    encoded = [tokenizer.encode(t) for t in texts]
    single = np.concatenate([model.probabilities(*padded([e], tokenizer.pad)) for e in encoded])
    batched = np.concatenate([model.probabilities(*padded(encoded[i:i + args.batch_size], tokenizer.pad))
                              for i in range(0, len(encoded), args.batch_size)])
    agree = np.mean(single.argmax(-1) == ours.argmax(-1))
    worst_single, worst_batched = np.abs(single - ours).max(), np.abs(batched - ours).max()
    print(json.dumps({"texts": len(texts), "longest_ids": max(len(e) for e in encoded),
                      "max_abs_diff_single": float(worst_single), "max_abs_diff_padded_batches": float(worst_batched),
                      "argmax_agreement": float(agree), "tolerance": args.tolerance}))
    sys.exit(0 if max(worst_single, worst_batched) <= args.tolerance else 1)


if __name__ == "__main__":
    main()
