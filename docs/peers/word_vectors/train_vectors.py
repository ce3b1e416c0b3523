import csv, re, sys
from gensim.models import Word2Vec
texts = []
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    for row in csv.DictReader(f):
        if row['part'] == 'train':
            texts.append(re.findall(r'[^\W_]+', row['review'].lower()))
m = Word2Vec(sentences=texts, vector_size=32, window=5, min_count=2, workers=1, epochs=20, seed=7)
m.wv.save_word2vec_format('ff.bin', binary=True)
m.wv.save_word2vec_format('ff.vec', binary=False)
print(len(texts), 'texts,', len(m.wv), 'words')
