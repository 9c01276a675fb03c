#!/usr/bin/env python3
"""Writes the support-tickets data set shipped with LlmFineTune's examples.

Twelve customer-support intents, written for the project from hand-made templates with slot
fills, greetings, sign-offs and light noise (typos, casing). Each intent keeps two of its
templates out of training, so the test set asks for generalisation to new phrasings, not
recall. Also writes an unlabeled "mailbox" corpus for pretraining: fresh fills of every
template plus general chatter, never the labeled texts themselves.

Deterministic: python3 make_support_tickets.py [OUT_DIR] gives byte-identical files each run.
"""
import os
import random
import sys

INTENTS = {
    "refund_request": [
        "i would like a refund for my {product}",
        "can i get my money back for order {order}",
        "please refund the {amount} you charged for the {product}",
        "the {product} was not what i expected, i want a refund",
        "how long does a refund take? i returned order {order} {days} days ago",
        "i returned the {product} but still have not received my refund",
        "requesting a full refund for order {order}",
        "you promised a refund {days} days ago and nothing has arrived",
        "is it possible to return the {product} and get reimbursed",
        "i want to send back the {product} and be refunded {amount}",
    ],
    "cancel_subscription": [
        "please cancel my subscription",
        "how do i cancel my {plan} plan",
        "i want to stop my membership before the next billing date",
        "cancel the auto renewal on my account",
        "i no longer need the {plan} subscription, please end it",
        "stop charging me every month, i want to unsubscribe",
        "how can i terminate my {plan} plan today",
        "i would like to end my subscription at the end of this month",
        "please do not renew my {plan} membership",
        "where is the button to cancel my plan",
    ],
    "password_reset": [
        "i forgot my password",
        "how do i reset my password",
        "the password reset email never arrives",
        "i can not remember my login password for {email}",
        "the reset link says it has expired",
        "please send me a new password reset link",
        "changing my password gives an error on the {device}",
        "i need to change my password, it may have leaked",
        "my password is not accepted even though it is correct",
        "how can i set a new password without access to my old email",
    ],
    "shipping_delay": [
        "where is my order {order}",
        "my package is {days} days late",
        "the tracking for order {order} has not updated in {days} days",
        "when will my {product} arrive",
        "order {order} still says processing after {days} days",
        "the delivery was supposed to come yesterday and it has not",
        "is there a delay with shipping to {city}",
        "my parcel seems stuck in {city} for a week",
        "i have been waiting {days} days for the {product} to ship",
        "can you check why my shipment has not left the warehouse",
    ],
    "damaged_item": [
        "my {product} arrived broken",
        "the box was crushed and the {product} is damaged",
        "the screen of the {product} is cracked out of the box",
        "item arrived with scratches all over it",
        "the {product} does not turn on, it came damaged",
        "parts are missing and the {product} is bent",
        "i received a defective {product} in order {order}",
        "the glass inside the package was shattered",
        "the {product} leaked during delivery and is ruined",
        "what do i do about a damaged {product}, photos attached",
    ],
    "change_address": [
        "i need to change my shipping address",
        "can i update the delivery address for order {order}",
        "i moved to {city}, please update my address",
        "wrong address on my account, how do i fix it",
        "please ship order {order} to my new address in {city}",
        "how do i edit my billing address",
        "my street name is misspelled on the label",
        "update my postal address before the {product} ships",
        "can the courier deliver to my office in {city} instead",
        "i entered an old address at checkout, please correct it",
    ],
    "invoice_request": [
        "please send me an invoice for order {order}",
        "i need a receipt for my last payment of {amount}",
        "where can i download my invoices",
        "my company needs a vat invoice for the {plan} plan",
        "can you resend the invoice for {month}",
        "the invoice is missing our company name",
        "i need a copy of the billing statement for {month}",
        "please issue a corrected invoice with my tax number",
        "how do i get a pdf invoice for my accounting",
        "send the receipt for order {order} to {email}",
    ],
    "account_locked": [
        "my account is locked",
        "i am locked out after too many login attempts",
        "it says my account has been suspended",
        "i can not log in, the account is disabled",
        "why was my account blocked",
        "please unlock my account {email}",
        "the app says access denied when i sign in on the {device}",
        "my login stopped working and says account frozen",
        "two factor code never arrives so i am locked out",
        "how long does the lockout last, i need access now",
    ],
    "upgrade_plan": [
        "i want to upgrade to the {plan} plan",
        "how much does it cost to move up to {plan}",
        "can i switch from basic to {plan} mid month",
        "what do i get if i upgrade my subscription",
        "please upgrade my team to the {plan} tier",
        "is there a discount to upgrade to the annual {plan} plan",
        "we need more seats, how do we upgrade",
        "upgrade my account to get more storage",
        "what is the difference between basic and {plan}",
        "i would like to buy the {plan} package for my team",
    ],
    "technical_bug": [
        "the app crashes when i open settings on the {device}",
        "i get error {code} when saving my profile",
        "the page keeps loading forever",
        "sync stopped working on my {device}",
        "the export button does nothing",
        "after the update the app freezes on start",
        "notifications are not showing on the {device}",
        "i see a blank screen after login with error {code}",
        "the search returns nothing even for exact names",
        "uploading a file fails with error {code} every time",
    ],
    "delete_account": [
        "please delete my account",
        "how do i permanently remove my account and data",
        "i want all my personal data erased",
        "close my account {email} for good",
        "delete everything you store about me under gdpr",
        "i would like my profile removed completely",
        "how can i erase my account from the {device} app",
        "remove my account and stop sending emails",
        "i request deletion of my user data",
        "shut down my account and wipe my history",
    ],
    "payment_failed": [
        "my payment was declined",
        "the card payment of {amount} failed",
        "why does checkout say payment error {code}",
        "i was charged twice for order {order}",
        "my credit card was rejected but the bank says it is fine",
        "the payment went through but the order shows unpaid",
        "paypal payment failed at checkout",
        "i can not pay, the transaction keeps failing",
        "there is a pending charge of {amount} and no order",
        "payment not accepted on the {device}, tried three cards",
    ],
}

SLOTS = {
    "product": ["headphones", "laptop stand", "coffee maker", "backpack", "phone case", "desk lamp",
                "keyboard", "blender", "monitor", "running shoes", "jacket", "smart watch", "camera", "kettle"],
    "order": ["#{}".format(n) for n in range(10234, 99999, 3917)],
    "amount": ["$19.99", "$45", "$120", "EUR 89", "$7.50", "$250", "GBP 32", "$64.99"],
    "days": ["3", "5", "7", "10", "12", "14", "20", "two", "three", "several"],
    "plan": ["pro", "premium", "business", "family", "enterprise", "plus"],
    "email": ["anna@example.com", "j.smith@example.org", "mike77@example.net", "office@example.com", "li.wei@example.com"],
    "device": ["iphone", "android phone", "ipad", "windows laptop", "mac", "chromebook", "tablet"],
    "city": ["Berlin", "Austin", "Lyon", "Toronto", "Leeds", "Osaka", "Porto", "Denver", "Madrid"],
    "code": ["500", "E102", "403", "0x80070005", "ERR_SYNC_7", "404", "E9"],
    "month": ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october"],
}

GREETINGS = ["", "", "hi, ", "hello, ", "hello team, ", "good morning. ", "hey, ", "dear support, ", "urgent: ", "quick question: "]
SIGNOFFS = ["", "", "", " thanks", " thank you!", " thanks in advance.", " regards, {name}", " please help.", " cheers", " asap please"]
NAMES = ["Anna", "Tom", "Priya", "Jose", "Mei", "Olu", "Sven", "Fatima", "Luca", "Grace"]
CHATTER = [
    "thanks for the quick reply yesterday",
    "see you at the meeting on {month} 3rd",
    "the weather in {city} has been lovely this week",
    "attached is the report you asked for",
    "please find my notes from the call below",
    "our office in {city} will be closed on friday",
    "i bought a new {product} last week and love it",
    "can we move the call to tomorrow afternoon",
    "the team lunch is at noon",
    "your newsletter about the {plan} plan was interesting",
]


def fill(template, rng):
    text = template
    for slot, values in SLOTS.items():
        while "{" + slot + "}" in text:
            text = text.replace("{" + slot + "}", rng.choice(values), 1)
    return text


def noisy(text, rng):
    words = text.split(" ")
    if rng.random() < 0.15 and len(words) > 3:  # a typo: swap two letters of one word
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text[0].upper() + text[1:]
    if rng.random() < 0.05:
        text = text.upper()
    return text


def ticket(template, rng):
    body = fill(template, rng)
    sign = rng.choice(SIGNOFFS).replace("{name}", rng.choice(NAMES))
    return noisy(rng.choice(GREETINGS) + body + sign, rng).strip()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(20261129)
    train, test = [], []
    for intent, templates in sorted(INTENTS.items()):
        held_out = set(rng.sample(range(len(templates)), 2))
        seen = [t for i, t in enumerate(templates) if i not in held_out]
        for _ in range(60):
            train.append((intent, ticket(rng.choice(seen), rng)))
        for _ in range(25):
            template = templates[rng.choice(sorted(held_out))] if rng.random() < 0.5 else rng.choice(seen)
            test.append((intent, ticket(template, rng)))
    rng.shuffle(train)
    rng.shuffle(test)
    for name, rows in (("train.tsv", train), ("test.tsv", test)):
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
            for label, text in rows:
                f.write(f"{label}\t{text}\n")
    labeled = {text for _, text in train + test}
    with open(os.path.join(out, "mailbox.txt"), "w", encoding="utf-8", newline="\n") as f:
        written = 0
        while written < 6000:
            if rng.random() < 0.25:
                doc = noisy(fill(rng.choice(CHATTER), rng), rng)
            else:
                templates = INTENTS[rng.choice(sorted(INTENTS))]
                doc = ticket(rng.choice(templates), rng)
            if doc in labeled:
                continue
            f.write(doc + "\n")
            written += 1


if __name__ == "__main__":
    main()
