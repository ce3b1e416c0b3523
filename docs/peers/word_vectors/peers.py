# Logistic regression on tf-idf words (the linear model a user tries first), same splits.
import csv, re
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, accuracy_score, f1_score
for pct in (5, 20, 100):
    rows = list(csv.DictReader(open(f'd{pct}/fine_foods.csv', newline='', encoding='utf-8')))
    tr = [r for r in rows if r['split'] == 'train']; te = [r for r in rows if r['split'] == 'test']
    v = TfidfVectorizer(token_pattern=r'[^\W_]+', lowercase=True)
    X = v.fit_transform([r['review'] for r in tr]); Xt = v.transform([r['review'] for r in te])
    y = [r['score'] == 'great' for r in tr]; yt = [r['score'] == 'great' for r in te]
    m = LogisticRegression(C=10, max_iter=2000).fit(X, y)
    p = m.predict_proba(Xt)[:, 1]
    print(pct, len(tr), 'auc %.4f acc %.4f macro_f1 %.4f' % (roc_auc_score(yt, p), accuracy_score(yt, p > 0.5), f1_score(yt, p > 0.5, average='macro')))
# Logistic regression on the mean of the same word2vec vectors (ff.bin).
import numpy as np
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format('ff.bin', binary=True)
def mean(t):
    ws = [w for w in re.findall(r'[^\W_]+', t.lower()) if w in kv.key_to_index]
    return np.mean([kv[w] for w in ws], axis=0) if ws else np.zeros(kv.vector_size)
for pct in (5, 20, 100):
    rows = list(csv.DictReader(open(f'd{pct}/fine_foods.csv', newline='', encoding='utf-8')))
    tr = [r for r in rows if r['split'] == 'train']; te = [r for r in rows if r['split'] == 'test']
    X = np.array([mean(r['review']) for r in tr]); Xt = np.array([mean(r['review']) for r in te])
    y = [r['score'] == 'great' for r in tr]; yt = [r['score'] == 'great' for r in te]
    m = LogisticRegression(C=10, max_iter=2000).fit(X, y)
    p = m.predict_proba(Xt)[:, 1]
    print('mean-vectors', pct, len(tr), 'auc %.4f acc %.4f macro_f1 %.4f' % (roc_auc_score(yt, p), accuracy_score(yt, p > 0.5), f1_score(yt, p > 0.5, average='macro')))
