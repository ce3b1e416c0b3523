# Times gensim's word2vec on fine_foods' training reviews with the settings of `mtl embed --dimension 32
# --min-count 2` (skip-gram, hierarchical softmax, window 5, one worker). Needs Debian's python3-gensim:
#   /usr/bin/python3 docs/peers/word_vectors/time_gensim.py /path/to/modeldata/fine_foods.csv
import csv, re, sys, time
from gensim.models import Word2Vec
texts = []
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    for row in csv.DictReader(f):
        if row['part'] == 'train':
            texts.append(re.findall(r'[^\W_]+', row['review'].lower()))
for epochs in (5, 20):
    t = time.time()
    m = Word2Vec(sentences=texts, vector_size=32, window=5, min_count=2, workers=1, epochs=epochs, seed=7, sg=1, hs=1, negative=0)
    print('skip-gram, hierarchical softmax, epochs', epochs, 'workers 1: %.1f s' % (time.time() - t), len(m.wv), 'words')
