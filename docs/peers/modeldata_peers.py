"""Gradient-boosted trees and linear models on the project's own splits of the modeldata tables.

Usage: modeldata_peers.py MODELDATA_DIR RUNS_DIR, where RUNS_DIR holds attrition-prep, lending_club-prep
and fine_foods-prep (from `mtl prep` with conf/examples/NAME.yaml) and their -keys folders (ExportKeys.java).
Needs Debian's python3-sklearn and python3-pandas. See docs/results.md, "Raw files as published".
"""
import glob, sys, time
import numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import OneHotEncoder, StandardScaler, OrdinalEncoder
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.impute import SimpleImputer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score, mean_squared_error, f1_score, accuracy_score

D = sys.argv[1]
RUNS = sys.argv[2]

def keys(prep, split):
    return set(pd.read_csv(glob.glob(f"{prep}-keys/{split}/part-*.csv")[0], header=None)[0])

def load(name, prep):
    df = pd.read_csv(f"{D}/{name}", keep_default_na=True)
    df["_row"] = [f"{name}:{i + 2}" for i in range(len(df))]
    tr, te = keys(prep, "train"), keys(prep, "test")
    return df[df["_row"].isin(tr)], df[df["_row"].isin(te)]

def tab(num, cat):
    lin = ColumnTransformer([("n", make_pipeline(SimpleImputer(), StandardScaler()), num),
                             ("c", OneHotEncoder(handle_unknown="ignore"), cat)])
    gbt = ColumnTransformer([("n", "passthrough", num),
                             ("c", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), cat)])
    catmask = [False] * len(num) + [True] * len(cat)
    return lin, gbt, catmask

def row(data, task, metric, model, value):
    print(f"{data:10s} {task:13s} {metric:10s} {model:28s} {value:.4f}")

def binary(data, task, tr, te, X, y, pos, num, cat):
    lin, gbt, cm = tab(num, cat)
    ytr, yte = (tr[y] == pos).astype(int), (te[y] == pos).astype(int)
    g = make_pipeline(gbt, HistGradientBoostingClassifier(categorical_features=cm, random_state=0)).fit(tr[X], ytr)
    row(data, task, "auc", "HistGradientBoosting", roc_auc_score(yte, g.predict_proba(te[X])[:, 1]))
    l = make_pipeline(lin, LogisticRegression(max_iter=2000)).fit(tr[X], ytr)
    row(data, task, "auc", "LogisticRegression", roc_auc_score(yte, l.predict_proba(te[X])[:, 1]))

def regression(data, task, tr, te, X, y, num, cat, log=False):
    lin, gbt, cm = tab(num, cat)
    f = (np.log1p if log else (lambda v: v)); inv = (np.expm1 if log else (lambda v: v))
    g = make_pipeline(gbt, HistGradientBoostingRegressor(categorical_features=cm, random_state=0)).fit(tr[X], f(tr[y]))
    row(data, task, "rmse", "HistGradientBoosting", mean_squared_error(te[y], inv(g.predict(te[X])), squared=False))
    l = make_pipeline(lin, Ridge()).fit(tr[X], f(tr[y]))
    row(data, task, "rmse", "Ridge", mean_squared_error(te[y], inv(l.predict(te[X])), squared=False))

def classes(data, task, tr, te, X, y, num, cat, order=None, merge_below=0):
    lin, gbt, cm = tab(num, cat)
    ytr, yte = tr[y].copy(), te[y].copy()
    if merge_below:
        counts = ytr.value_counts(); rare = set(counts[counts < merge_below].index)
        ytr = ytr.where(~ytr.isin(rare), "other"); yte = yte.where(yte.isin(set(ytr)), "other")
    for name, m in [("HistGradientBoosting", make_pipeline(gbt, HistGradientBoostingClassifier(categorical_features=cm, random_state=0))),
                    ("LogisticRegression", make_pipeline(lin, LogisticRegression(max_iter=3000)))]:
        p = m.fit(tr[X], ytr).predict(te[X])
        row(data, task, "macro_f1", name, f1_score(yte, p, average="macro"))
        row(data, task, "accuracy", name, accuracy_score(yte, p))
        if order:
            r = {c: i for i, c in enumerate(order)}
            row(data, task, "mae", name, np.mean(np.abs(yte.map(r) - pd.Series(p, index=yte.index).map(r))))

started = time.time()
tr, te = load("attrition.csv", f"{RUNS}/attrition-prep")
num = ["Age", "DailyRate", "DistanceFromHome", "HourlyRate", "JobLevel", "MonthlyRate", "NumCompaniesWorked",
       "PercentSalaryHike", "StockOptionLevel", "TotalWorkingYears", "TrainingTimesLastYear", "YearsAtCompany",
       "YearsInCurrentRole", "YearsSinceLastPromotion", "YearsWithCurrManager"]
cat = ["BusinessTravel", "Department", "Education", "EducationField", "EnvironmentSatisfaction", "Gender",
       "JobInvolvement", "JobRole", "MaritalStatus", "OverTime", "PerformanceRating", "RelationshipSatisfaction",
       "WorkLifeBalance"]
X = num + cat
binary("attrition", "attrition", tr, te, X, "Attrition", "Yes", num, cat)
regression("attrition", "income", tr, te, X, "MonthlyIncome", num, cat, log=True)
classes("attrition", "satisfaction", tr, te, X, "JobSatisfaction", num, cat, order=["Low", "Medium", "High", "Very_High"])

tr, te = load("lending_club.csv", f"{RUNS}/lending_club-prep")
num = ["funded_amnt", "annual_inc", "delinq_2yrs", "inq_last_6mths", "revol_util", "acc_now_delinq", "open_il_6m",
       "open_il_12m", "open_il_24m", "total_bal_il", "all_util", "inq_fi", "inq_last_12m", "delinq_amnt", "num_il_tl",
       "total_il_high_credit_limit"]
cat = ["term", "verification_status", "emp_length", "addr_state"]
X = num + cat
binary("lending", "bad", tr, te, X, "Class", "bad", num, cat)
regression("lending", "rate", tr, te, X, "int_rate", num, cat)
classes("lending", "grade", tr, te, X, "sub_grade", num, cat, merge_below=50)

tr, te = load("fine_foods.csv", f"{RUNS}/fine_foods-prep")
m = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2), LogisticRegression(max_iter=2000))
m.fit(tr["review"], (tr["score"] == "great").astype(int))
row("foods", "great", "auc", "TF-IDF + LogisticRegression",
    roc_auc_score((te["score"] == "great").astype(int), m.predict_proba(te["review"])[:, 1]))
print(f"# {len(tr)} / {len(te)} rows (foods train/test); all peers in {time.time() - started:.1f} s")
