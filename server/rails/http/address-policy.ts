/**
 * Which IP addresses an agent-chosen URL may reach. Everything that is not globally routable
 * unicast is refused, so a URL from a model or a provider cannot point the server at itself, its
 * network or a cloud metadata endpoint (SSRF).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'cgnat'
  | 'multicast'
  | 'unique_local'
  | 'ipv4_mapped'
  | 'reserved'
  | 'not_an_ip';

interface FamilyLists {
  ipv4: BlockList;
  ipv6: BlockList;
}

/**
 * One BlockList per family: a BlockList holding both would match an IPv4 address against IPv6
 * rules through its mapped form (`::ffff:a.b.c.d`), so 8.8.8.8 would fall in `::/96`.
 */
function blockList(entries: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>): FamilyLists {
  const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const [network, prefix, family] of entries) lists[family].addSubnet(network, prefix, family);
  return lists;
}

// Order matters only for naming: the first class that contains the address names it.
const CLASSES: ReadonlyArray<readonly [AddressClass, FamilyLists]> = [
  ['unspecified', blockList([['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']])],
  ['loopback', blockList([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']])],
  ['private', blockList([['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4']])],
  ['link_local', blockList([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']])],
  ['cgnat', blockList([['100.64.0.0', 10, 'ipv4']])],
  ['multicast', blockList([['224.0.0.0', 4, 'ipv4'], ['ff00::', 8, 'ipv6']])],
  ['unique_local', blockList([['fc00::', 7, 'ipv6']])],
  // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 embed an IPv4 address that may be internal.
  ['ipv4_mapped', blockList([['::ffff:0:0', 96, 'ipv6'], ['::', 96, 'ipv6'], ['64:ff9b::', 96, 'ipv6'], ['64:ff9b:1::', 48, 'ipv6'], ['2002::', 16, 'ipv6']])],
  [
    'reserved',
    blockList([
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['192.88.99.0', 24, 'ipv4'], // deprecated 6to4 relay anycast
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'], // includes the broadcast address 255.255.255.255
      ['100::', 64, 'ipv6'],
      ['2001::', 23, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
      ['3fff::', 20, 'ipv6'],
    ]),
  ],
];

/** IANA's global unicast space; any other IPv6 address (site-local fec0::/10, unassigned) is not public. */
const GLOBAL_UNICAST_V6 = blockList([['2000::', 3, 'ipv6']]).ipv6;

export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) return 'not_an_ip';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // BlockList matches an IPv4-mapped IPv6 address against IPv4 rules too; name it for what it is.
  if (type === 'ipv6' && /^::ffff:/i.test(address)) return 'ipv4_mapped';
  for (const [name, lists] of CLASSES) if (lists[type].check(address, type)) return name;
  if (type === 'ipv6' && !GLOBAL_UNICAST_V6.check(address, 'ipv6')) return 'reserved';
  return 'public';
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a host name from the system resolver; an IP literal is its own only address. */
export async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const literalFamily = isIP(hostname);
  if (literalFamily !== 0) return [{ address: hostname, family: literalFamily === 6 ? 6 : 4 }];
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

/**
 * The first address whose class is not permitted, or null. Every address must pass: otherwise the
 * resolver's order would decide what a connection reaches.
 */
export function firstRefusedAddress(
  addresses: readonly ResolvedAddress[],
  permitted: ReadonlySet<AddressClass>,
): { address: string; addressClass: AddressClass } | null {
  for (const { address } of addresses) {
    const addressClass = classifyAddress(address);
    if (!permitted.has(addressClass)) return { address, addressClass };
  }
  return null;
}
