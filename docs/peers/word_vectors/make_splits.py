import csv, os, random, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
r = random.Random(3)
train_idx = [i for i, x in enumerate(rows) if x['part'] == 'train']
r.shuffle(train_idx)
val = set(train_idx[:400]); rest = train_idx[400:]
for pct in (5, 20, 100):
    keep = set(rest[: len(rest) * pct // 100])
    os.makedirs(f'd{pct}', exist_ok=True)
    with open(f'd{pct}/fine_foods.csv', 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(['product', 'review', 'score', 'split'])
        for i, x in enumerate(rows):
            if x['part'] == 'test': s = 'test'
            elif i in val: s = 'validation'
            elif i in keep: s = 'train'
            else: continue   # an unlabelled review: only the vectors saw it
            w.writerow([x['product'], x['review'], x['score'], s])
    print(pct, len(keep))
