import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/cel.js";

// The examples Kubernetes documents for each library (k8s.io/apiserver/pkg/cel/library and
// the "CEL in Kubernetes" page), each written as an expression that must hold.
const holds = (expr: string) => expect(evaluate(expr, {}), expr).toBe(true);
const fails = (expr: string, message: RegExp) => {
  const result = evaluate(expr, {});
  expect(result === true ? "passed" : (result.message ?? ""), expr).toMatch(message);
};

describe("cel › Kubernetes' quantity library", () => {
  it("parses the documented forms and rejects the rest", () => {
    holds("isQuantity('1.3G') && isQuantity('1.3Gi') && isQuantity('10000k')");
    holds("!isQuantity('1,3G') && !isQuantity('200K') && !isQuantity('Three') && !isQuantity('Mi')");
    fails("quantity('200K').sign() == 1", /"200K" is not a quantity/);
  });

  it("converts to integers and floats", () => {
    holds("quantity('50000000G').isInteger() && quantity('50k').isInteger()");
    holds("!quantity('9999999999999999999999999999999999999G').isInteger()");
    fails(
      "quantity('9999999999999999999999999999999999999G').asInteger() == 0",
      /cannot convert value to integer/,
    );
    holds("quantity('50k').asInteger() == 50000");
    holds("quantity('50k').sub(20000).asApproximateFloat() == 30000.0");
    holds("quantity('1.5Gi').asInteger() == 1610612736");
  });

  it("adds, subtracts and compares exactly, and equal amounts are ==", () => {
    holds("quantity('50k').add(quantity('20k')) == quantity('70k')");
    holds("quantity('50k').add(20) == quantity('50020')");
    holds("quantity('50k').sub(quantity('20k')) == quantity('30k')");
    holds("quantity('50k').sub(20000) == quantity('30k')");
    holds("quantity('50k').add(20).sub(quantity('100k')).sub(-50000) == quantity('20')");
    holds("quantity('1') == quantity('1000m')");
    holds("quantity('200M').compareTo(quantity('0.2G')) == 0");
    holds(
      "quantity('50M').compareTo(quantity('50Mi')) == -1 && quantity('50Mi').compareTo(quantity('50M')) == 1",
    );
    holds(
      "quantity('150Mi').isGreaterThan(quantity('100Mi')) && !quantity('50Mi').isGreaterThan(quantity('100Mi'))",
    );
    holds("quantity('50M').isLessThan(quantity('100M')) && !quantity('100M').isLessThan(quantity('50M'))");
    holds("quantity('-1').sign() == -1 && quantity('0').sign() == 0 && quantity('500m').sign() == 1");
  });
});

describe("cel › Kubernetes' list library", () => {
  it("isSorted", () => {
    holds("[1, 2, 3].isSorted() && ['a', 'b', 'b', 'c'].isSorted() && [1].isSorted() && [].isSorted()");
    holds("![2.0, 1.0].isSorted()");
  });

  it("sum, min and max", () => {
    holds("[1, 3].sum() == 4 && [1.0, 3.0].sum() == 4.0 && [].sum() == 0");
    holds("[1, 3].min() == 1 && [1, 3].max() == 3 && [1].min() == 1 && ([0] + []).min() == 0");
    fails("[].min() == 0", /min\(\) called on an empty list/);
  });

  it("indexOf and lastIndexOf", () => {
    holds("[1, 2, 2, 3].indexOf(2) == 1 && ['a', 'b', 'b', 'c'].lastIndexOf('b') == 2");
    holds("[1.0].indexOf(1.1) == -1 && [].indexOf('string') == -1");
  });
});

describe("cel › strings and regex", () => {
  it("the strings extension Kubernetes enables", () => {
    holds(
      "'hello'.charAt(1) == 'e' && 'hello mellow'.indexOf('ello') == 1 && 'hello mellow'.lastIndexOf('ello') == 7",
    );
    holds("'TacoCat'.lowerAscii() == 'tacocat' && 'TacoCÆt'.upperAscii() == 'TACOCÆT'");
    holds(
      "'hello hello'.replace('he', 'we') == 'wello wello' && 'hello hello'.replace('he', 'we', 1) == 'wello hello'",
    );
    holds("'hello hello hello'.split(' ') == ['hello', 'hello', 'hello'] && 'tacocat'.substring(4) == 'cat'");
    holds("'tacocat'.substring(0, 4) == 'taco' && '  \\ttrim\\n    '.trim() == 'trim'");
    holds("['hello', 'mellow'].join() == 'hellomellow' && ['hello', 'mellow'].join(' ') == 'hello mellow'");
    holds("'%d pods of %s'.format([3, 'web']) == '3 pods of web' && strings.quote('a\"b') == '\"a\\\\\"b\"'");
  });

  it("find and findAll", () => {
    holds("'abc 123'.find('[0-9]+') == '123' && 'abc'.find('[0-9]+') == ''");
    holds(
      "'123 abc 456'.findAll('[0-9]+') == ['123', '456'] && '123 abc 456'.findAll('[0-9]+', 1) == ['123']",
    );
    holds("'image: nginx:1.27'.matches('nginx:1\\\\.2[0-9]$')");
  });
});

describe("cel › Kubernetes' ip, cidr and url libraries", () => {
  it("ip and isIP reject leading zeros, mapped and out-of-range addresses", () => {
    holds(
      "isIP('127.0.0.1') && isIP('::1') && !isIP('127.0.0.256') && !isIP(':::1') && !isIP('::ffff:1.2.3.4')",
    );
    holds("ip.isCanonical('127.0.0.1') && ip.isCanonical('2001:db8::abcd')");
    holds("!ip.isCanonical('2001:DB8::ABCD') && !ip.isCanonical('2001:db8::0:0:0:abcd')");
    fails("ip('127.0.0.256').family() == 4", /not valid/);
  });

  it("family and address classes", () => {
    holds("ip('127.0.0.1').family() == 4 && ip('::1').family() == 6");
    holds("ip('0.0.0.0').isUnspecified() && !ip('127.0.0.1').isUnspecified() && ip('::').isUnspecified()");
    holds("ip('127.0.0.1').isLoopback() && !ip('192.168.0.1').isLoopback() && ip('::1').isLoopback()");
    holds("ip('224.0.0.1').isLinkLocalMulticast() && !ip('224.0.1.1').isLinkLocalMulticast()");
    holds("ip('ff02::1').isLinkLocalMulticast() && !ip('fd00::1').isLinkLocalMulticast()");
    holds(
      "ip('169.254.169.254').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast() && !ip('fd80::1').isLinkLocalUnicast()",
    );
    holds("ip('192.168.0.1').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()");
    holds("ip('2001:db8::abcd').isGlobalUnicast() && !ip('ff00::1').isGlobalUnicast()");
  });

  it("cidr containment, masking and prefix length", () => {
    holds("isCIDR('192.168.0.0/16') && isCIDR('::1/128') && !isCIDR('192.168.0.0/33') && !isCIDR('::1/129')");
    holds(
      "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1')) && !cidr('192.168.0.0/24').containsIP('192.168.1.1')",
    );
    holds(
      "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24')) && !cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')",
    );
    holds("cidr('192.168.0.1/24').ip() == ip('192.168.0.1') && cidr('::1/128').ip().family() == 6");
    holds("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')");
    holds(
      "cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked() && cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()",
    );
    holds("cidr('192.168.0.0/16').prefixLength() == 16 && cidr('::1/128').prefixLength() == 128");
  });

  it("url parts", () => {
    holds("isURL('https://user:pass@example.com:80/path?query=val#fragment') && isURL('/absolute-path')");
    holds("!isURL('https://a:b:c/') && !isURL('../relative-path')");
    holds("url('/path').getScheme() == '' && url('https://example.com/').getScheme() == 'https'");
    holds(
      "url('https://example.com:80/').getHost() == 'example.com:80' && url('https://[::1]:80/').getHost() == '[::1]:80'",
    );
    holds("url('/path').getHost() == '' && url('https://[::1]:80/').getHostname() == '::1'");
    holds("url('https://example.com:80/').getPort() == '80' && url('https://example.com/').getPort() == ''");
    holds("url('https://example.com/path with spaces/').getEscapedPath() == '/path%20with%20spaces/'");
    holds("url('https://example.com').getEscapedPath() == ''");
    holds("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}");
    holds("url('https://example.com/path?').getQuery() == {}");
  });
});

describe("cel › cel.bind", () => {
  it("binds a name for its body, as the Kubernetes docs show", () => {
    holds("cel.bind(x, 3, x * x) == 9");
    const pod = {
      spec: {
        containers: [
          { name: "a", image: "nginx" },
          { name: "b", image: "redis" },
        ],
      },
    };
    expect(
      evaluate(
        "cel.bind(images, object.spec.containers.map(c, c.image), 'nginx' in images && size(images) == 2)",
        {
          object: pod,
        },
      ),
    ).toBe(true);
  });
});
