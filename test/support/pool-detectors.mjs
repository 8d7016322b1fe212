// Plain-JS detectors for the worker-pool tests (workers load them by URL, so no TypeScript here).
const MARK = Buffer.from('POOLMARK-', 'latin1');
const BOOM = Buffer.from('KABOOM-DETECTOR', 'latin1');

function markerDetector() {
  return {
    id: 'pool-marker',
    name: 'pool test marker',
    description: 'POOLMARK- followed by 16 hex characters',
    kind: 'text',
    maxSpan: 25,
    detect(bytes) {
      const hits = [];
      const learned = [];
      for (let i = bytes.indexOf(MARK); i !== -1; i = bytes.indexOf(MARK, i + 1)) {
        const end = i + MARK.length + 16;
        if (end > bytes.length) break;
        const tail = bytes.subarray(i + MARK.length, end);
        if (!/^[0-9a-f]{16}$/.test(tail.toString('latin1'))) continue;
        hits.push({ start: i, end, ruleId: 'pool-marker', encoding: 'ascii', secret: bytes.subarray(i + MARK.length, end) });
        learned.push({ kind: 'public-rsa', label: `marker ${tail.toString('latin1')}`, n: BigInt('0x' + tail.toString('latin1')), e: 65537n });
      }
      return { hits, learned };
    },
  };
}

function boomDetector() {
  return {
    id: 'pool-boom',
    name: 'pool test failure',
    description: 'throws on a marker',
    kind: 'binary',
    maxSpan: 16,
    detect(bytes) {
      if (bytes.includes(BOOM)) throw new TypeError('detector choked');
      return { hits: [] };
    },
  };
}

export function createDetectors(_options) {
  return [markerDetector(), boomDetector()];
}
