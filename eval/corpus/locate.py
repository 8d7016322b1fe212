# Finds where each peer rule's secret lies in its own example, with a regex engine that speaks the
# peers' syntax (Rust / RE2: inline flag groups, (?x) comments). Reads JSON from stdin, writes JSON.
# Only used by build-peers.mjs when the corpus is rebuilt; `npm run eval` never needs it.
import json
import sys

import regex


def compile_peer(pattern):
    p = pattern.replace('\\z', '\\Z').replace('(?-u)', '').replace('(?u)', '')
    return regex.compile(p, regex.VERSION0)


def secret_spans(rx, text, group):
    spans = []
    for m in rx.finditer(text, overlapped=False):
        if rx.groups == 0:
            span = m.span(0)
        elif isinstance(group, int) and group > 0:
            span = m.span(group)
        elif group == 'last':
            cands = [m.span(i) for i in range(1, rx.groups + 1) if m.span(i)[0] >= 0 and m.span(i)[1] > m.span(i)[0]]
            span = cands[-1] if cands else m.span(0)
        else:
            cands = [m.span(i) for i in range(1, rx.groups + 1) if m.span(i)[0] >= 0 and m.span(i)[1] > m.span(i)[0]]
            span = cands[0] if cands else m.span(0)
        if span[1] > span[0]:
            spans.append(list(span))
    return spans


def main():
    if sys.argv[1:] == ['--yaml']:
        import yaml
        json.dump([yaml.safe_load(t) for t in json.load(sys.stdin)], sys.stdout)
        return
    jobs = json.load(sys.stdin)
    cache = {}
    out = []
    for job in jobs:
        try:
            rx = cache.get(job['pattern'])
            if rx is None:
                rx = cache[job['pattern']] = compile_peer(job['pattern'])
            out.append({'spans': secret_spans(rx, job['text'], job['group'])})
        except Exception as e:  # a pattern this engine cannot read: the example is skipped and counted
            out.append({'error': type(e).__name__ + ': ' + str(e)[:120]})
    json.dump(out, sys.stdout)


main()
