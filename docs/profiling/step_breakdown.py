#!/usr/bin/env python3
"""Where a training step's time goes, from a JDK Flight Recorder recording of a fit loop.

    java -XX:StartFlightRecording=filename=loop.jfr,settings=profile ... (a plain fit loop)
    jfr print --events jdk.ExecutionSample --stack-depth 64 loop.jfr > java.txt
    jfr print --events jdk.NativeMethodSample --stack-depth 64 loop.jfr > native.txt
    docs/profiling/step_breakdown.py java.txt native.txt

Counts the samples whose stack is inside ComputationGraph.fit, weighted by the sampling period of
their event in the 'profile' settings (Java code every 10 ms, native calls every 20 ms), and
prints two breakdowns: by stage of the step (the first Deeplearning4j frame from the top of the
stack) and by what the thread was doing (the top frame).
"""
import collections
import re
import sys

FRAME = re.compile(r"^\s+([\w.$<>]+)\([^)]*\)\s+line:", re.M)

STAGES = [
    ("updater (Adam, regularization views)", ("nn.updater.", "optimize.")),
    ("score", ("computeScore", ".score")),
    ("backward", ("backpropGradient", "getGradientsAndDelta", "calcBackpropGradients")),
    ("forward", ("preOutput", "activate", "ffToLayerActivations", "outputOfLayers")),
]

WORK = [
    ("javacpp: allocation bookkeeping", ("org.bytedeco.javacpp.Pointer.deallocator",
                                         "org.bytedeco.javacpp.Pointer.physicalBytes",
                                         "org.bytedeco.javacpp.Pointer$DeallocatorReference")),
    ("native op execution", ("NativeOpExecutioner.exec", "NativeOpExecutioner.execCustomOp")),
    ("op setup: shape info, op context, buffers", ("createShapeInfo", "CpuOpContext",
                                                    "tadShapeInfoAndOffsets", "OpaqueDataBuffer",
                                                    "Pointer.<init>", "LongPointer", "IntPointer",
                                                    "DoublePointer", "BooleanPointer")),
]


def samples(path, weight):
    text = open(path).read()
    for event in re.split(r"^jdk\.\w+ \{", text, flags=re.M)[1:]:
        frames = FRAME.findall(event)
        if any(f.endswith("ComputationGraph.fit") for f in frames):
            yield frames, weight


def classify(frame, table, default):
    for name, keys in table:
        if any(k in frame for k in keys):
            return name
    return default


def main(java, native):
    stage, work = collections.Counter(), collections.Counter()
    for path, weight, is_native in ((java, 1, False), (native, 2, True)):
        for frames, w in samples(path, weight):
            dl4j = next((f for f in frames if f.startswith("org.deeplearning4j")), "")
            stage[classify(dl4j, STAGES, "other (fit's own bookkeeping)")] += w
            what = classify(frames[0], WORK, "java: views, shapes, workspaces" if not is_native
                            else "other native calls")
            work[what] += w
    for title, counter in (("stage", stage), ("what the thread does", work)):
        total = sum(counter.values())
        print(f"by {title} ({total} weighted samples)")
        for name, n in counter.most_common():
            print(f"  {100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
