"""Check that ConvoKit itself loads a corpus threadlens wrote (issue #15). Not run in CI:
ConvoKit's full install pulls in torch (through sentence-transformers).

    threadlens analyse seeds --format convokit --out /tmp/corpus
    python scripts/check_convokit.py /tmp/corpus

Installing ConvoKit in a throwaway venv: either the whole package,

    python3 -m venv /tmp/ck && /tmp/ck/bin/pip install convokit

or, lighter (no torch), the package without its dependencies plus those its Corpus needs:

    /tmp/ck/bin/pip install --no-deps convokit
    /tmp/ck/bin/pip install numpy pandas scipy pymongo tqdm pyyaml scikit-learn dill joblib \
        unidecode msgpack-numpy requests

What it checks, for each conversation: one root utterance (no reply_to) whose id is the
conversation id and whose meta marks it as the article; every other utterance replies to an
utterance of the same conversation; ConvoKit's own integrity check and a breadth-first walk of
the reply tree reach every utterance; the depth of each comment in that walk is its `depth`
meta (top-level comment = 1); the conversation meta has the `articles` row (its `comments` is
the number of comment utterances). Prints counts; exits 1 on a failed check.
"""

import argparse
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="a folder written by `threadlens analyse --format convokit`")
    args = ap.parse_args(argv)

    from convokit import Corpus

    corpus = Corpus(filename=args.corpus)
    problems = []
    n_convos = n_utts = 0
    for convo in corpus.iter_conversations():
        n_convos += 1
        utts = list(convo.iter_utterances())
        n_utts += len(utts)
        ids = {u.id for u in utts}
        roots = [u for u in utts if u.reply_to is None]
        if len(roots) != 1 or roots[0].id != convo.id:
            problems.append(f"{convo.id}: expected one root utterance with the conversation's id, got {[u.id for u in roots]}")
            continue
        if roots[0].meta.get("threadlens_article") is not True:
            problems.append(f"{convo.id}: the root utterance's meta does not mark the article")
        for u in utts:
            if u.reply_to is not None and u.reply_to not in ids:
                problems.append(f"{convo.id}: {u.id} replies to {u.reply_to}, not in the conversation")
        if not convo.check_integrity(verbose=False):
            problems.append(f"{convo.id}: ConvoKit's integrity check failed")
            continue
        depth = {}
        walked = 0
        for node in convo.traverse("bfs", as_utterance=False):
            u = node.utt
            depth[u.id] = 0 if u.reply_to is None else depth[u.reply_to] + 1
            walked += 1
            if u.reply_to is not None and u.meta.get("depth") != depth[u.id]:
                problems.append(f"{convo.id}: {u.id} is at depth {depth[u.id]}, its meta says {u.meta.get('depth')}")
        if walked != len(utts):
            problems.append(f"{convo.id}: the walk reached {walked} of {len(utts)} utterances")
        if convo.meta.get("comments") != len(utts) - 1:
            problems.append(f"{convo.id}: meta comments = {convo.meta.get('comments')}, {len(utts) - 1} comment utterances")
    print(
        f"{args.corpus}: {n_convos} conversations, {n_utts} utterances "
        f"({n_utts - n_convos} comments), {len(list(corpus.iter_speakers()))} speakers"
    )
    print(f"utterance meta: {sorted(corpus.meta_index.utterances_index)}")
    for p in problems[:50]:
        print("problem:", p)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("ok: ConvoKit loads the corpus; every conversation has its root and a sound reply tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
