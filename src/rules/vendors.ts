// Vendor credentials without a prefix of their own, recognised by a key named after the vendor
// (`asanaToken = "…"`, `<etsyToken>…</etsyToken>`, `DISCORD_CLIENT_ID: …`) and a value of that
// vendor's documented shape. The shape, not entropy, carries the evidence: a 16-digit Asana client
// id or an 18-digit Discord id is too plain for an entropy floor but exact enough under its name.
import type { Family, RuleInput } from './schema.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * Key side: the vendor word opens the match, then the rest of the key name (camelCase, snake_case,
 * a Go type after it: `var asanaToken string`), closing quotes, and an assignment operator as the
 * languages write it (`=`, `:=`, `::=`, `?=`, `.=`, `=>`, `:`, `,` between call arguments) or the
 * `>` that closes an XML start tag. A `:` before `//` or `:` is a URL or a C++ scope, not a value.
 */
const KEY_TAIL = '[A-Za-z0-9_.\\- \\t]{0,30}?';
const SEP = `(?:["'\\]]{0,2}[ \\t]{0,4}(?:[:?.+|]{0,3}=>?|:(?![:/]))|["'][ \\t]{0,2},|>)`;
const GAP = '[ \\t\\r\\n]{0,12}[`\'"]?';
/** The value runs to the end of its token: memory glues neighbours on, and a longer value is still the secret. */
const TAIL = '[A-Za-z0-9_+/=.%\\-]{0,80}';

interface VendorSpec {
  /** Vendor stem: the rule id is `<stem>-credential`. */
  stem: string;
  vendor: string;
  family: Family;
  /**
   * Key words as the vendor writes its name (a capital where a word of the name starts: `launchDarkly`,
   * `rapidApi`). Each word of the name may be written lower, Capitalised or UPPER, nothing else
   * (`meraKi` in `CameraKit` is no key). A key starts a word; memory glues a key to the string before
   * it, which the engine accepts only for a long key in one case with a joiner after it
   * (`…server.gocloudflare_TOKEN`). Words of four letters or fewer must not run on into a lowercase letter.
   */
  keys: string[];
  /** The vendor's value shapes in lowercase (matched in either case), most specific first. */
  shapes: string[];
  /** One generated value per shape, for the examples. */
  gens: string[];
  /** More negative examples for this vendor. */
  negatives?: string[];
}

/**
 * The regex written for either case. Not the `i` flag: a short key must not run on into a lowercase
 * word (`sumo` in `sumObj`), which needs a case-sensitive look-ahead, and a key's words have case rules.
 */
function caseless(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      const body = pattern.slice(i + 1, end);
      const upper = [...body.matchAll(/\\.|([a-z])-([a-z])|([a-z])/g)].map((m) => (m[1] ? `${m[1]}-${m[2]}` : (m[3] ?? '')).toUpperCase()).join('');
      out += `[${body}${upper}]`;
      i = end;
    } else if (/[a-z]/.test(c)) {
      out += `[${c}${c.toUpperCase()}]`;
    } else out += c;
  }
  return out;
}

/** A key's words (`rapidApi` -> rapid, Api; `azure_DevOps` -> azure, _, Dev, Ops), each lower, Capitalised or UPPER. */
function keyPattern(k: string): string {
  const words = k.match(/[A-Za-z][a-z]*|[^A-Za-z]+/g) ?? [];
  const cased = words.map((w) => {
    if (!/^[A-Za-z]/.test(w)) return w.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    const low = w.toLowerCase();
    return w.length === 1 ? `[${low}${low.toUpperCase()}]` : `(?:${low}|${low[0].toUpperCase()}${low.slice(1)}|${low.toUpperCase()})`;
  });
  return cased.join('') + (/^[a-z]{1,4}$/i.test(k) ? '(?![a-z])' : '');
}

function vendorKeyed(v: VendorSpec): RuleInput {
  const keys = v.keys.map(keyPattern).join('|');
  const k = v.keys[0].toLowerCase().replace(/[^a-z0-9]/g, '_');
  // the last letter of the key in capitals: a case the vendor's name never takes (`meraKi`)
  const odd = k.slice(0, -1) + k.slice(-1).toUpperCase();
  const [first, ...more] = v.gens;
  return {
    id: `${v.stem}-credential`,
    name: `${v.vendor} credential (key named after the vendor)`,
    family: v.family,
    description: `A value shaped like a ${v.vendor} key, id or secret assigned to a key named after ${v.vendor}`,
    keywords: v.keys.map((key) => key.toLowerCase()),
    keywordForms: v.keys.map((key) => ({ keyword: key.toLowerCase(), word: true })),
    pattern: `(?:${keys})${KEY_TAIL}${SEP}${GAP}(?<secret>(?:${v.shapes.map(caseless).join('|')})${TAIL})`,
    before: 0,
    maxLen: 600,
    // a placeholder such as aaaa1111bbbb2222 sits at 2 bits; 16 random digits rarely fall below 2.1
    minEntropy: 2.1,
    // a random value has a digit; a camelCase identifier beside a vendor word does not
    validators: ['has-digit'],
    examples: [
      `${k.toUpperCase()}_TOKEN=«${first}»\n`,
      `{"${k}ApiKey": "«${first}»"}`,
      `<${k}Secret>\n    «${first}»\n</${k}Secret>`,
      `var ${k}Token string = "«${first}»"`,
      `System.setProperty("${k.toUpperCase()}_KEY", "«${first}»")`,
      ...more.map((g) => `${k}_client_secret := \`«${g}»\``),
    ],
    negativeExamples: [
      `${k}_url: https://api.example.com/v2/${k}/callback`,
      `${k}_token = <your-${k}-token>`,
      `${k}_secret: ****************************************`,
      `${k}Name = "{{lower:40}}"`,
      `${k}: aaaaaaaaaa1111111111bbbbbbbbbb2222222222`,
      `get${k}Pages,search${k}UsingCql`,
      // the key inside a longer word: not a key named after the vendor
      `un${k}ish = "${first}"`,
      `${odd}Token = "${first}"`,
      ...(v.negatives ?? []),
    ],
  };
}

const VENDORS: VendorSpec[] = [
  { stem: 'adafruit', vendor: 'Adafruit IO', family: 'saas', keys: ['adafruit'], shapes: ['[a-z0-9_\\-]{32}'], gens: ['{{alnum:32}}'] },
  { stem: 'adobe', vendor: 'Adobe', family: 'saas', keys: ['adobe'], shapes: ['[a-f0-9]{32}'], gens: ['{{hex:32}}'] },
  { stem: 'airtable', vendor: 'Airtable', family: 'saas', keys: ['airtable'], shapes: ['[a-z0-9]{17}'], gens: ['{{alnum:17}}'] },
  { stem: 'algolia', vendor: 'Algolia', family: 'saas', keys: ['algolia'], shapes: ['[a-z0-9]{32}'], gens: ['{{hex:32}}'] },
  { stem: 'asana', vendor: 'Asana', family: 'saas', keys: ['asana'], shapes: ['[0-9]{16}', '[a-z0-9]{32}'], gens: ['{{digit:16}}', '{{alnum:32}}'] },
  { stem: 'atlassian', vendor: 'Atlassian', family: 'atlassian', keys: ['atlassian', 'confluence', 'jira'], shapes: ['[a-z0-9]{24}'], gens: ['{{alnum:24}}'] },
  {
    stem: 'azure-devops',
    vendor: 'Azure DevOps',
    family: 'azure',
    keys: ['azure_devOps', 'azureDevOps', 'azure-devOps', 'ado_pat', 'ado_token', 'azdo_pat', 'azdo_token'],
    shapes: ['[a-z0-9]{52}'],
    gens: ['{{alnum:52}}'],
  },
  { stem: 'beamer', vendor: 'Beamer', family: 'saas', keys: ['beamer'], shapes: ['b_[a-z0-9=_\\-]{44}'], gens: ['b_{{b64u:44}}'] },
  { stem: 'bitbucket', vendor: 'Bitbucket', family: 'bitbucket', keys: ['bitBucket'], shapes: ['[a-z0-9]{32}'], gens: ['{{alnum:32}}'] },
  { stem: 'bittrex', vendor: 'Bittrex', family: 'payments', keys: ['bittrex'], shapes: ['[a-z0-9]{32}'], gens: ['{{alnum:32}}'] },
  { stem: 'codeclimate', vendor: 'Code Climate', family: 'ci', keys: ['codeClimate', 'cc_test_reporter_id'], shapes: ['[a-f0-9]{64}'], gens: ['{{hex:64}}'] },
  { stem: 'codecov', vendor: 'Codecov', family: 'ci', keys: ['codeCov'], shapes: ['[a-z0-9]{32}'], gens: ['{{alnum:32}}'] },
  { stem: 'coinbase', vendor: 'Coinbase', family: 'payments', keys: ['coinBase'], shapes: ['[a-z0-9_\\-]{64}'], gens: ['{{b64u:64}}'] },
  { stem: 'confluent', vendor: 'Confluent', family: 'cloud', keys: ['confluent'], shapes: ['[a-z0-9]{16}'], gens: ['{{ALNUM:16}}'] },
  { stem: 'contentful', vendor: 'Contentful', family: 'saas', keys: ['contentful'], shapes: ['[a-z0-9=_\\-]{43}'], gens: ['{{b64u:43}}'] },
  { stem: 'datadog', vendor: 'Datadog', family: 'observability', keys: ['dataDog'], shapes: ['[a-z0-9]{32}'], gens: ['{{hex:40}}'] },
  { stem: 'discord', vendor: 'Discord', family: 'comms', keys: ['discord'], shapes: ['[0-9]{17,20}', '[a-z0-9=_\\-]{32}'], gens: ['{{digit:18}}', '{{b64u:32}}'] },
  { stem: 'droneci', vendor: 'Drone CI', family: 'ci', keys: ['droneCi', 'drone_token'], shapes: ['[a-z0-9]{32}'], gens: ['{{alnum:32}}'] },
  { stem: 'dropbox', vendor: 'Dropbox', family: 'saas', keys: ['dropBox'], shapes: ['[a-z0-9]{15}'], gens: ['{{alnum:15}}'] },
  { stem: 'etsy', vendor: 'Etsy', family: 'commerce', keys: ['etsy'], shapes: ['[a-z0-9]{24}'], gens: ['{{alnum:24}}'] },
  { stem: 'facebook', vendor: 'Facebook', family: 'saas', keys: ['faceBook'], shapes: ['[a-f0-9]{32}'], gens: ['{{hex:32}}'] },
  { stem: 'fastly', vendor: 'Fastly', family: 'cloud', keys: ['fastly'], shapes: ['[a-z0-9=_\\-]{32}'], gens: ['{{b64u:32}}'] },
  { stem: 'finicity', vendor: 'Finicity', family: 'payments', keys: ['finicity'], shapes: ['[a-z0-9]{20}'], gens: ['{{alnum:20}}'] },
  { stem: 'finnhub', vendor: 'Finnhub', family: 'payments', keys: ['finnHub'], shapes: ['[a-z0-9]{20}'], gens: ['{{alnum:20}}'] },
  { stem: 'flickr', vendor: 'Flickr', family: 'saas', keys: ['flickr'], shapes: ['[a-z0-9]{32}'], gens: ['{{hex:32}}'] },
  { stem: 'freshbooks', vendor: 'FreshBooks', family: 'saas', keys: ['freshBooks'], shapes: ['[a-z0-9]{64}'], gens: ['{{alnum:64}}'] },
  { stem: 'gitter', vendor: 'Gitter', family: 'comms', keys: ['gitter'], shapes: ['[a-z0-9_\\-]{40}'], gens: ['{{hex:40}}'] },
  { stem: 'gocardless', vendor: 'GoCardless', family: 'payments', keys: ['goCardless'], shapes: ['(?:live|sandbox)_[a-z0-9_=\\-]{40}'], gens: ['live_{{b64u:40}}'] },
  { stem: 'heroku', vendor: 'Heroku', family: 'cloud', keys: ['heroku'], shapes: [UUID], gens: ['{{uuid}}'] },
  { stem: 'hubspot', vendor: 'HubSpot', family: 'saas', keys: ['hubSpot'], shapes: [UUID], gens: ['{{uuid}}'] },
  { stem: 'intercom', vendor: 'Intercom', family: 'saas', keys: ['intercom'], shapes: ['[a-z0-9=_\\-]{60}'], gens: ['{{b64u:60}}'] },
  { stem: 'jfrog', vendor: 'JFrog', family: 'registry', keys: ['jFrog', 'artifactory', 'bintray', 'xRay'], shapes: ['[a-z0-9]{64}'], gens: ['{{alnum:64}}'] },
  { stem: 'kraken', vendor: 'Kraken', family: 'payments', keys: ['kraken'], shapes: ['[a-z0-9/=_+\\-]{80}'], gens: ['{{b64:88}}'] },
  { stem: 'kucoin', vendor: 'KuCoin', family: 'payments', keys: ['kuCoin'], shapes: [UUID, '[a-f0-9]{24}'], gens: ['{{uuid}}', '{{hex:24}}'] },
  { stem: 'launchdarkly', vendor: 'LaunchDarkly', family: 'saas', keys: ['launchDarkly'], shapes: ['[a-z0-9=_\\-]{40}'], gens: ['{{b64u:40}}'] },
  { stem: 'linear', vendor: 'Linear', family: 'saas', keys: ['linear'], shapes: ['[a-f0-9]{32}'], gens: ['{{hex:32}}'] },
  { stem: 'linkedin', vendor: 'LinkedIn', family: 'saas', keys: ['linkedIn', 'linked_in', 'linked-in'], shapes: ['[a-z0-9]{14}'], gens: ['{{alnum:14}}'] },
  { stem: 'lob', vendor: 'Lob', family: 'commerce', keys: ['lob'], shapes: ['(?:live|test)_(?:pub_)?[a-f0-9]{31}'], gens: ['live_{{hex:35}}', 'test_pub_{{hex:31}}'] },
  { stem: 'looker', vendor: 'Looker', family: 'saas', keys: ['looker'], shapes: ['[a-z0-9]{20}'], gens: ['{{alnum:20}}'] },
  { stem: 'mailchimp', vendor: 'Mailchimp', family: 'mail', keys: ['mailChimp'], shapes: ['[a-f0-9]{32}'], gens: ['{{hex:32}}-us{{digit:2}}'] },
  { stem: 'mailgun', vendor: 'Mailgun', family: 'mail', keys: ['mailGun'], shapes: ['(?:pub)?key-[a-f0-9]{32}', '[a-f0-9]{32}'], gens: ['pubkey-{{hex:32}}', '{{hex:32}}-{{hex:8}}-{{hex:8}}'] },
  { stem: 'mattermost', vendor: 'Mattermost', family: 'comms', keys: ['mattermost'], shapes: ['[a-z0-9]{26}'], gens: ['{{alnum:26}}'] },
  { stem: 'messagebird', vendor: 'MessageBird', family: 'comms', keys: ['messageBird', 'message_bird', 'message-bird'], shapes: [UUID, '[a-z0-9]{25}'], gens: ['{{alnum:25}}', '{{uuid}}'] },
  { stem: 'meraki', vendor: 'Cisco Meraki', family: 'cloud', keys: ['meraki'], negatives: ['ReactNativeCameraKit: {{hex:40}}'], shapes: ['[a-f0-9]{40}'], gens: ['{{hex:40}}'] },
  { stem: 'netlify', vendor: 'Netlify', family: 'cloud', keys: ['netlify'], shapes: ['[a-z0-9=_\\-]{40}'], gens: ['{{b64u:43}}'] },
  { stem: 'newrelic', vendor: 'New Relic', family: 'observability', keys: ['newRelic', 'new_relic', 'new-relic'], shapes: ['[a-z0-9]{32}'], gens: ['{{alnum:64}}'] },
  { stem: 'nytimes', vendor: 'New York Times', family: 'saas', keys: ['nyTimes', 'newYorkTimes', 'new-york-times'], shapes: ['[a-z0-9=_\\-]{32}'], gens: ['{{b64u:32}}'] },
  { stem: 'okta', vendor: 'Okta', family: 'identity', keys: ['okta'], shapes: ['[a-z0-9=_\\-]{42}'], gens: ['00{{b64u:40}}'] },
  { stem: 'plaid', vendor: 'Plaid', family: 'payments', keys: ['plaid'], shapes: ['[a-z0-9]{24}'], gens: ['{{alnum:24}}', '{{alnum:30}}'] },
  { stem: 'rapidapi', vendor: 'RapidAPI', family: 'saas', keys: ['rapidApi'], shapes: ['[a-z0-9_\\-]{50}'], gens: ['{{b64u:50}}'] },
  { stem: 'sendbird', vendor: 'Sendbird', family: 'comms', keys: ['sendBird'], shapes: [UUID, '[a-f0-9]{40}'], gens: ['{{uuid}}', '{{hex:40}}'] },
  { stem: 'sentry', vendor: 'Sentry', family: 'observability', keys: ['sentry'], shapes: ['[a-f0-9]{64}'], gens: ['{{hex:64}}'] },
  { stem: 'snyk', vendor: 'Snyk', family: 'ci', keys: ['snyk'], shapes: [UUID], gens: ['{{uuid}}'] },
  { stem: 'sonar', vendor: 'SonarQube', family: 'ci', keys: ['sonar'], shapes: ['(?:sq[pua]_)?[a-z0-9=_\\-]{40}'], gens: ['{{hex:40}}'] },
  { stem: 'squarespace', vendor: 'Squarespace', family: 'commerce', keys: ['squareSpace'], shapes: [UUID], gens: ['{{uuid}}'] },
  {
    stem: 'sumologic',
    vendor: 'Sumo Logic',
    family: 'observability',
    keys: ['sumo', 'sumoLogic'],
    shapes: ['su[a-z0-9]{12}', '[a-z0-9]{64}'],
    gens: ['su{{b62:8}}{{digit:1}}{{b62:3}}', '{{b62:64}}'],
  },
  { stem: 'trello', vendor: 'Trello', family: 'saas', keys: ['trello'], shapes: ['[a-z0-9\\-]{32}'], gens: ['{{b62:32}}'] },
  { stem: 'cloudflare', vendor: 'Cloudflare', family: 'cloud', keys: ['cloudFlare'], shapes: ['[a-z0-9_\\-]{37}'], gens: ['{{hex:37}}', '{{b64u:40}}'] },
  { stem: 'travisci', vendor: 'Travis CI', family: 'ci', keys: ['travis'], shapes: ['[a-z0-9]{22}'], gens: ['{{alnum:22}}'] },
  { stem: 'twitch', vendor: 'Twitch', family: 'comms', keys: ['twitch'], shapes: ['[a-z0-9]{30}'], gens: ['{{alnum:30}}'] },
  { stem: 'twitter', vendor: 'Twitter', family: 'comms', keys: ['twitter'], shapes: ['[0-9]{15,25}-[a-z0-9]{20,40}', '[a-z0-9]{25}'], gens: ['{{digit:19}}-{{b62:40}}', '{{b62:25}}'] },
  { stem: 'yandex', vendor: 'Yandex', family: 'cloud', keys: ['yandex'], shapes: ['[a-z0-9_\\-]{40}'], gens: ['YC{{b64u:38}}'] },
  { stem: 'maxmind', vendor: 'MaxMind', family: 'saas', keys: ['maxMind'], shapes: ['[a-z0-9]{6}_[a-z0-9]{29}'], gens: ['{{b62:6}}_{{b62:29}}_mmk'] },
  { stem: 'zendesk', vendor: 'Zendesk', family: 'saas', keys: ['zenDesk'], shapes: ['[a-z0-9]{40}'], gens: ['{{alnum:40}}'] },
  { stem: 'mapbox', vendor: 'Mapbox', family: 'saas', keys: ['mapBox'], shapes: ['[pst]k\\.[a-z0-9_\\-]{40,400}\\.[a-z0-9_\\-]{20,30}'], gens: ['pk.{{alnum:60}}.{{alnum:22}}'] },
];

export const vendorRules: RuleInput[] = [
  ...VENDORS.map(vendorKeyed),
  {
    id: 'okta-ssws-token',
    name: 'Okta API token in an SSWS authorization header',
    family: 'identity',
    description: 'The credential of an `Authorization: SSWS <token>` header (Okta API tokens)',
    keywords: ['ssws '],
    pattern: 'SSWS[ \\t]{1,4}(?<secret>[A-Za-z0-9_=\\-]{40,44})',
    before: 0,
    maxLen: 52,
    validators: ['token-like'],
    examples: ['Authorization: SSWS «00{{b64u:40}}»', 'curl -H "Authorization: SSWS «{{b64u:42}}»" https://dev.okta.com/api/v1/users'],
    negativeExamples: ['Authorization: SSWS ${OKTA_API_TOKEN}', 'Authorization: SSWS {{lower:42}}'],
  },
  {
    // `4b1d` is a hex fragment: unlike a vendor word it may not follow a letter or digit
    id: 'clickhouse-cloud-secret',
    name: 'ClickHouse Cloud API secret key',
    family: 'cloud',
    description: 'A ClickHouse Cloud API secret: 4b1d and 38 base62 characters',
    keywords: ['4b1d'],
    pattern: '(?<![A-Za-z0-9])(?<secret>4b1d[A-Za-z0-9]{38})',
    before: 0,
    maxLen: 42,
    minEntropy: 3,
    validators: ['mixed-case'],
    examples: ['CLICKHOUSE_SECRET=«4b1d{{b62:38}}»', '{"key_secret": "«4b1d{{b62:38}}»"}'],
    negativeExamples: ['sha {{hex:8}}4b1d{{hex:38}}', 'key = adf4b1d{{b62:38}}', 'key = 4b1dXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'],
  },
  {
    id: 'thingsboard-access-token',
    name: 'ThingsBoard device access token',
    family: 'saas',
    description: 'The device token in a ThingsBoard device API path (/api/v1/<token>/telemetry, attributes, rpc or claim), on any host',
    keywords: ['/api/v1/'],
    pattern: '/api/v1/(?<secret>[A-Za-z0-9]{20})/(?:telemetry|attributes|rpc|claim)(?![A-Za-z])',
    before: 0,
    maxLen: 50,
    validators: ['has-digit'],
    examples: [
      'curl -v -X POST https://thingsboard.cloud/api/v1/«{{alnum:20}}»/telemetry --header Content-Type:application/json',
      'coap://tb.example.net/api/v1/«{{alnum:20}}»/attributes?clientKeys=a',
    ],
    negativeExamples: ['GET /api/v1/userprofilesettings/attributes', 'POST /api/v1/{{lower:20}}/telemetry'],
  },
  {
    id: 'vault-unseal-key',
    name: 'HashiCorp Vault unseal key',
    family: 'ci',
    description: 'A key share printed by `vault operator init` (`Unseal Key 1: <base64>`)',
    keywords: ['unseal key '],
    pattern: 'Unseal Key [0-9]{1,2}:[ \\t]{1,4}(?<secret>[A-Za-z0-9+/]{43,88}={0,2})',
    before: 0,
    maxLen: 110,
    validators: ['token-like'],
    examples: ['Unseal Key 1: «{{b64:44}}»\nUnseal Key 2: «{{b64:44}}»', 'Unseal Key 3: «{{b64:88}}»'],
    negativeExamples: ['Unseal Key 1: <redacted>', 'Unseal Key 2: ********************************************'],
  },
];
