"""Which part of TF-IDF with logistic regression our text encoder lacks, on fine_foods' own split.

Usage: fine_foods_text.py MODELDATA_DIR PREP_DIR, where PREP_DIR is a prep of fine_foods.csv with
conf/examples/fine_foods.yaml and PREP_DIR-keys its split's keys (ExportKeys.java). Needs Debian's
python3-sklearn and python3-pandas. See docs/results.md, "Text".
"""
import glob, re, sys
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

DATA, PREP = sys.argv[1], sys.argv[2]
TOKEN = r"(?u)[^\W_]+"  # runs of letters and digits, as the project's tokenizer splits


def keys(split):
    return set(pd.read_csv(glob.glob(f"{PREP}-keys/{split}/part-*.csv")[0], header=None)[0])


df = pd.read_csv(f"{DATA}/fine_foods.csv")
df["_row"] = [f"fine_foods.csv:{i + 2}" for i in range(len(df))]
train, test = df[df._row.isin(keys("train"))], df[df._row.isin(keys("test"))]


def first_words(text, n):
    return " ".join(re.findall(TOKEN, str(text).lower())[:n])


def run(name, vectorizer, cut=None, c=1.0):
    a, b = train.review.fillna(""), test.review.fillna("")
    if cut:
        a, b = a.map(lambda t: first_words(t, cut)), b.map(lambda t: first_words(t, cut))
    x = vectorizer.fit_transform(a)
    model = LogisticRegression(C=c, max_iter=2000).fit(x, train.score == "great")
    auc = roc_auc_score(test.score == "great", model.predict_proba(vectorizer.transform(b))[:, 1])
    print(f"{name:72s} {x.shape[1]:6d} terms  AUC {auc:.4f}")


def terms(**kw):
    return dict(ngram_range=(1, 2), min_df=2, token_pattern=TOKEN, **kw)


run("TF-IDF, all terms", TfidfVectorizer(**terms()))
run("TF-IDF, 20,000 most frequent", TfidfVectorizer(**terms(max_features=20000)))
run("the same, first 256 words", TfidfVectorizer(**terms(max_features=20000)), cut=256)
run("TF-IDF, sublinear counts", TfidfVectorizer(**terms(max_features=20000, sublinear_tf=True)))
run("term frequencies, L2", TfidfVectorizer(**terms(max_features=20000, use_idf=False)))
run("term frequencies, L1 (a mean), C 100",
    TfidfVectorizer(**terms(max_features=20000, use_idf=False, norm="l1")), c=100)
run("TF-IDF, L1 (an IDF-weighted mean), C 100",
    TfidfVectorizer(**terms(max_features=20000, norm="l1")), c=100)
run("raw counts", CountVectorizer(**terms(max_features=20000)))
