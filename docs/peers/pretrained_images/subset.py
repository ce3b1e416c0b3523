# The first N images and labels of MNIST's training file (its t10k test file whole): a MultiMNIST
# with N training images (the reader keeps the last tenth of them for validation).
import gzip, os, shutil, struct, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
with gzip.open(f'{src}/train-images-idx3-ubyte.gz') as f:
    magic, count, rows, cols = struct.unpack('>IIII', f.read(16)); body = f.read(n * rows * cols)
with gzip.open(f'{out}/train-images-idx3-ubyte.gz', 'wb') as f:
    f.write(struct.pack('>IIII', magic, n, rows, cols)); f.write(body)
with gzip.open(f'{src}/train-labels-idx1-ubyte.gz') as f:
    magic, count = struct.unpack('>II', f.read(8)); body = f.read(n)
with gzip.open(f'{out}/train-labels-idx1-ubyte.gz', 'wb') as f:
    f.write(struct.pack('>II', magic, n)); f.write(body)
for name in ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'):
    shutil.copy(f'{src}/{name}', f'{out}/{name}')
print(out, n)
