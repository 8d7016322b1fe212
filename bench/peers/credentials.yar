// ~30 common credential patterns, the same as patterns.txt (ripgrep), ascii + wide.
// The peer dumpscrub is compared against in `npm run bench`; not used by dumpscrub itself.
rule credentials
{
  strings:
    $s00 = /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/ ascii wide
    $s01 = /-----BEGIN PGP PRIVATE KEY BLOCK-----/ ascii wide
    $s02 = /(AKIA|ASIA|AGPA|AIDA|AROA)[A-Z2-7]{16}/ ascii wide
    $s03 = /aws_secret_access_key\s*[=:]\s*[A-Za-z0-9\/+]{40}/ ascii wide
    $s04 = /gh[pousr]_[A-Za-z0-9]{36}/ ascii wide
    $s05 = /github_pat_[A-Za-z0-9_]{82}/ ascii wide
    $s06 = /glpat-[A-Za-z0-9_-]{20}/ ascii wide
    $s07 = /xox[baprs]-[0-9A-Za-z-]{10,72}/ ascii wide
    $s08 = /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{8,10}\/B[A-Z0-9]{8,10}\/[A-Za-z0-9]{24}/ ascii wide
    $s09 = /(sk|rk)_live_[0-9A-Za-z]{24,99}/ ascii wide
    $s10 = /AIza[0-9A-Za-z_-]{35}/ ascii wide
    $s11 = /ya29\.[0-9A-Za-z_-]{20,200}/ ascii wide
    $s12 = /eyJ[A-Za-z0-9_-]{10,500}\.eyJ[A-Za-z0-9_-]{10,1000}\.[A-Za-z0-9_-]{10,500}/ ascii wide
    $s13 = /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/ ascii wide
    $s14 = /sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}/ ascii wide
    $s15 = /sk-ant-api03-[A-Za-z0-9_-]{93}AA/ ascii wide
    $s16 = /npm_[A-Za-z0-9]{36}/ ascii wide
    $s17 = /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,200}/ ascii wide
    $s18 = /SK[0-9a-fA-F]{32}/ ascii wide
    $s19 = /AC[0-9a-f]{32}/ ascii wide
    $s20 = /shpat_[a-fA-F0-9]{32}/ ascii wide
    $s21 = /dop_v1_[a-f0-9]{64}/ ascii wide
    $s22 = /hvs\.[A-Za-z0-9_-]{24,100}/ ascii wide
    $s23 = /AccountKey=[A-Za-z0-9+\/]{86}==/ ascii wide
    $s24 = /DefaultEndpointsProtocol=https;AccountName=[a-z0-9]{3,24};AccountKey=/ ascii wide
    $s25 = /(mongodb|postgres|postgresql|mysql|redis|amqp)(\+srv)?:\/\/[^:\/\s]{1,64}:[^@\/\s]{1,128}@/ ascii wide
    $s26 = /[Pp]assword\s*[=:]\s*"[^"\s]{8,64}"/ ascii wide
    $s27 = /Authorization:\s*Bearer\s+[A-Za-z0-9._~+\/-]{20,500}/ ascii wide
    $s28 = /Authorization:\s*Basic\s+[A-Za-z0-9+\/]{16,200}={0,2}/ ascii wide
    $s29 = /EAACEdEose0cBA[0-9A-Za-z]{20,200}/ ascii wide
  condition:
    any of them
}
