package firewall

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// IPSetConfig configures the ipset backend.
type IPSetConfig struct {
	Chain   string // default DOCKER-USER
	MaxElem uint32 // per set; default DefaultMaxElem
}

// IPSet is the default backend: one hash:net set per family (mxtop4, mxtop6) with per-entry
// timeouts and counters, filled over netlink, and one rule per family at the top of the chain,
// "-m set --match-set mxtop4 src -j DROP", inserted once. A lookup is O(1) per packet whatever
// the number of bans, and an add is one netlink message, not one iptables process.
//
// IPSet is not safe for concurrent use.
type IPSet struct {
	x        *xtables
	maxElem  uint32
	prepared [2]bool
}

// NewIPSet checks for root and iptables; it changes nothing until the first ban.
func NewIPSet(cfg IPSetConfig) (*IPSet, error) {
	if err := needRoot("ipset"); err != nil {
		return nil, err
	}
	x, err := newXtables(cfg.Chain)
	if err != nil {
		return nil, err
	}
	if cfg.MaxElem == 0 {
		cfg.MaxElem = DefaultMaxElem
	}
	return &IPSet{x: x, maxElem: cfg.MaxElem}, nil
}

// Name returns "ipset".
func (s *IPSet) Name() string { return "ipset" }

// hashNetRevisions are tried newest first; counters need revision 3, comments 4.
var hashNetRevisions = []uint8{7, 6, 5, 4}

// prepare creates the family's set (if missing) and inserts its rule (if missing).
func (s *IPSet) prepare(v6 bool) ([]string, error) {
	if s.prepared[fam(v6)] {
		return nil, nil
	}
	if err := s.x.ensureChain(v6); err != nil {
		return nil, err
	}
	name, family := SetV4, uint8(unix.AF_INET)
	if v6 {
		name, family = SetV6, unix.AF_INET6
	}
	var cmds []string
	if _, err := quietList(name); err != nil {
		if !isNoSet(err) {
			return nil, typed(err, "ipset list "+name)
		}
		zero := uint32(0)
		for _, rev := range hashNetRevisions {
			err = netlink.IpsetCreate(name, "hash:net", netlink.IpsetCreateOptions{
				Timeout: &zero, Counters: true, Comments: true, Family: family, MaxElements: s.maxElem, Revision: rev,
			})
			if !errors.Is(err, nl.IPSetError(nl.IPSET_ERR_FIND_TYPE)) {
				break
			}
		}
		if err != nil {
			return nil, typed(err, cmdSetCreate(v6, s.maxElem))
		}
		cmds = append(cmds, cmdSetCreate(v6, s.maxElem))
	}
	ins, err := s.x.insertUnique(v6, setRuleSpec(v6))
	cmds = append(cmds, ins...)
	if err != nil {
		return cmds, err
	}
	s.prepared[fam(v6)] = true
	return cmds, nil
}

// isNoSet is the kernel's answer for a set that does not exist.
func isNoSet(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, nl.IPSetError(nl.IPSET_ERR_PROTOCOL))
}

// quietList is netlink.IpsetList without its log output: netlink v1.3.1 log.Printf's every
// attribute it does not know (bucketsize and initval of revision-7 sets), which would scribble
// over the TUI. The standard logger's output is swapped for the call; a line another goroutine
// logs through the standard logger in that instant is lost (mxtop logs through its own slog
// handler).
func quietList(name string) (*netlink.IPSetResult, error) {
	prev := log.Writer()
	log.SetOutput(io.Discard)
	defer log.SetOutput(prev)
	return netlink.IpsetList(name)
}

func setEntry(p netip.Prefix) *netlink.IPSetEntry {
	return &netlink.IPSetEntry{IP: net.IP(p.Addr().AsSlice()), CIDR: uint8(p.Bits())}
}

// Ensure re-checks the family's set and rule and re-creates what is missing.
func (s *IPSet) Ensure(_ context.Context, v6 bool) ([]string, error) {
	s.prepared[fam(v6)] = false
	return s.prepare(v6)
}

// Add puts e.Prefix into its family's set, replacing an existing entry (ipset add -exist).
func (s *IPSet) Add(_ context.Context, e Entry) ([]string, error) {
	v6 := e.Prefix.Addr().Is6()
	cmds, err := s.prepare(v6)
	if err != nil {
		return cmds, err
	}
	ent := setEntry(e.Prefix)
	t := timeoutSeconds(e.Timeout)
	ent.Timeout, ent.Comment, ent.Replace = &t, "mxtop", true
	err = netlink.IpsetAdd(setName(e.Prefix), ent)
	if isNoSet(err) { // the set vanished since prepare (ipset destroy): rebuild it once
		s.prepared[fam(v6)] = false
		more, perr := s.prepare(v6)
		if cmds = append(cmds, more...); perr != nil {
			return cmds, perr
		}
		err = netlink.IpsetAdd(setName(e.Prefix), ent)
	}
	if err != nil {
		return cmds, typed(err, cmdSetAdd(e))
	}
	return append(cmds, cmdSetAdd(e)), nil
}

// Remove deletes p from its set and any hand-made "-s p -j DROP" rule from the chain.
func (s *IPSet) Remove(_ context.Context, p netip.Prefix) ([]string, error) {
	var cmds []string
	err := netlink.IpsetDel(setName(p), setEntry(p))
	switch {
	case err == nil:
		cmds = append(cmds, cmdSetDel(p))
	case errors.Is(err, nl.IPSetError(nl.IPSET_ERR_EXIST)), isNoSet(err):
	default:
		return nil, typed(err, cmdSetDel(p))
	}
	more, err := s.x.deleteIfExists(p.Addr().Is6(), addrRuleSpec(p))
	return append(cmds, more...), err
}

// List returns the members of both sets with their time left and counters, and the chain's
// hand-made DROP rules. A family whose chain is missing (no IPv6 in Docker) lists nothing.
func (s *IPSet) List(_ context.Context) ([]Entry, error) {
	var out []Entry
	for _, v6 := range []bool{false, true} {
		name := SetV4
		if v6 {
			name = SetV6
		}
		res, err := quietList(name)
		switch {
		case err == nil:
			for _, m := range res.Entries {
				if e, ok := fromSetEntry(m); ok {
					out = append(out, e)
				}
			}
		case !isNoSet(err):
			return nil, typed(err, "ipset list "+name)
		}
		rules, err := s.x.dropRules(v6)
		if err != nil && !errors.Is(err, ErrChainMissing) {
			return nil, err
		}
		out = append(out, rules...)
	}
	return out, nil
}

func fromSetEntry(m netlink.IPSetEntry) (Entry, bool) {
	a, ok := netip.AddrFromSlice(m.IP)
	if !ok {
		return Entry{}, false
	}
	a = a.Unmap()
	bits := int(m.CIDR)
	if bits == 0 {
		bits = a.BitLen()
	}
	e := Entry{Prefix: netip.PrefixFrom(a, bits).Masked()}
	if m.Timeout != nil {
		e.Timeout = time.Duration(*m.Timeout) * time.Second
	}
	if m.Packets != nil {
		e.Packets = *m.Packets
	}
	if m.Bytes != nil {
		e.Bytes = *m.Bytes
	}
	return e, true
}

// Health reports the iptables variant and whether the chain is in the packet path.
func (s *IPSet) Health(ctx context.Context) Health { return s.x.health(ctx, "ipset") }
