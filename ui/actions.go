package ui

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/ui/bantable"
	"github.com/mxtop/mxtop/ui/confirm"
	"github.com/mxtop/mxtop/ui/sanitize"
)

// op is a dangerous action.
type op uint8

const (
	opBan op = iota
	opUnban
	opWhitelistOn
	opWhitelistOff
	opBanMany // every botnet IP of the table as shown
)

func (o op) verb() (doing, done string) {
	switch o {
	case opBan, opBanMany:
		return "banning", "banned"
	case opUnban:
		return "unbanning", "unbanned"
	case opWhitelistOn:
		return "whitelisting", "whitelisted"
	default:
		return "removing from the whitelist", "removed from the whitelist"
	}
}

// action is one request to the engine, captured by value when the operator presses the key.
type action struct {
	id         int
	op         op
	ip         netip.Addr
	prefix     netip.Prefix // unban and whitelist target
	ips        []netip.Addr // opBanMany targets
	bits       int          // opBan: ban the /bits around ip instead (set when the dialog's alternative is chosen)
	needsForce bool         // the dialog asked twice
	force      bool
}

// target is the IP the actions apply to: the drill-down's IP, else the table cursor's. On the
// Banned and Whitelist tabs it is the tracked row of the highlighted single-address entry, if
// there is one.
func (m Model) target() (*engine.Row, bool) {
	if m.drillOpen {
		r := m.drill.Row()
		return r, r != nil
	}
	if t := m.prefixTab(); t != nil {
		b, ok := t.Selected()
		if !ok || !b.Ban.Prefix.IsSingleIP() {
			return nil, false
		}
		r := m.findRow(b.Ban.Prefix.Addr())
		return r, r != nil
	}
	return m.table.Selected()
}

// askAction opens the confirm dialog for o on the target row, or explains why not. Unban on the
// Banned tab targets the highlighted ban's exact prefix, tracked or not; w on the Whitelist tab
// removes the highlighted entry's exact prefix.
func (m Model) askAction(o op) (Model, tea.Cmd) {
	if !m.drillOpen {
		switch {
		case o == opUnban && m.onBans():
			return m.askPrefix(&m.bans, opUnban, "Unban ")
		case o == opWhitelistOn && m.tabs[m.tab].kind == tabWhitelist:
			return m.askPrefix(&m.wl, opWhitelistOff, "Remove from the whitelist ")
		}
	}
	r, ok := m.target()
	if !ok {
		if m.prefixTab() != nil {
			return m.setStatus(statusInfo, "no tracked IP in the selected prefix")
		}
		return m.setStatus(statusInfo, "no IP selected")
	}
	act := action{op: o, ip: r.IP, prefix: netip.PrefixFrom(r.IP, r.IP.BitLen())}
	var title, second string
	switch o {
	case opBan:
		title = "Ban " + r.IP.String() + "?"
		second = forceReason(r)
		act.needsForce = second != ""
	case opUnban:
		p, banned := m.banFor(r)
		if !banned {
			return m.setStatus(statusInfo, r.IP.String()+" is not banned")
		}
		act.prefix = p
		title = "Unban " + p.String() + "?"
	case opWhitelistOn, opWhitelistOff:
		if p, listed := m.whitelistFor(r); listed {
			act.op, act.prefix = opWhitelistOff, p
			title = "Remove " + p.String() + " from the whitelist?"
		} else {
			title = "Whitelist " + r.IP.String() + "? It will never be counted or banned."
		}
	}
	m.pendingAct = act
	m.confirm = confirm.New(m.keys.Confirm, m.styles.Dialog, m.styles.Warn, title, describe(r), second)
	if o == opBan {
		m.confirm = m.confirm.WithAlt(m.subnetPreview(r.IP))
	}
	m.confirm.SetWidth(m.width - 4)
	m.confirmOpen = true
	return m, nil
}

// subnetBits is the prefix a ban's alternative covers: the /64 an IPv6 client rotates through,
// the /24 of an IPv4 one.
func subnetBits(ip netip.Addr) int {
	if ip.Is6() {
		return 64
	}
	return 24
}

// subnetPreview describes the dialog's alternative: the prefix and how many tracked addresses
// and events it covers, so the operator sees what a wider ban takes with it.
func (m Model) subnetPreview(ip netip.Addr) string {
	p, _ := ip.Prefix(subnetBits(ip))
	n, events := 0, int64(0)
	if m.snap != nil {
		for _, r := range m.snap.Rows {
			if p.Contains(r.IP) {
				n++
				events += r.Total
			}
		}
	}
	ips := " tracked addresses, "
	if n == 1 {
		ips = " tracked address, "
	}
	return "ban all of " + p.String() + " (" + strconv.Itoa(n) + ips + strconv.FormatInt(events, 10) + " events)"
}

// askPrefix opens the dialog for o on the exact prefix highlighted in t (the Banned or
// Whitelist tab's table); title is the question before the prefix.
func (m Model) askPrefix(t *bantable.Model, o op, title string) (Model, tea.Cmd) {
	b, ok := t.Selected()
	if !ok {
		return m.setStatus(statusInfo, "nothing selected")
	}
	p := b.Ban.Prefix
	body := describeBan(b)
	if o != opUnban {
		body = body[1:] // a whitelist entry has no ban state
	}
	m.pendingAct = action{op: o, ip: p.Addr(), prefix: p}
	m.confirm = confirm.New(m.keys.Confirm, m.styles.Dialog, m.styles.Warn,
		title+p.String()+"?", body, "")
	m.confirm.SetWidth(m.width - 4)
	m.confirmOpen = true
	return m, nil
}

// describeBan is the unban dialog body: state, reason (sanitised) and the tracked events.
func describeBan(b bantable.Row) []string {
	l := []string{"state " + b.State()}
	if b.Ban.Reason != "" {
		l = append(l, "reason "+sanitize.Text(b.Ban.Reason))
	}
	if b.IPs > 0 {
		ips := " tracked IPs"
		if b.IPs == 1 {
			ips = " tracked IP"
		}
		l = append(l, strconv.FormatInt(b.Events, 10)+" events from "+strconv.Itoa(b.IPs)+ips)
	}
	return l
}

// forceReason is the second question for IPs that should rarely be banned; "" when one y is
// enough.
func forceReason(r *engine.Row) string {
	switch {
	case r.Whitelisted:
		return "WARNING: " + r.IP.String() + " is WHITELISTED. Banning it overrides the whitelist."
	case r.Verdict == classify.Scanner:
		return "WARNING: " + r.IP.String() + " is a known internet SCANNER (" +
			sanitize.Text(r.Host) + "): noisy but harmless, it does not send spam."
	default:
		return ""
	}
}

// describe is the dialog body: verdict, events per category, host and state, sanitised.
func describe(r *engine.Row) []string {
	var cats []string
	for _, c := range parse.Categories {
		if n := r.Counts[c]; n > 0 {
			cats = append(cats, c.String()+" "+strconv.FormatInt(n, 10))
		}
	}
	l := []string{
		"verdict " + strings.ToUpper(r.Verdict.String()) + " · " + strconv.FormatInt(r.Total, 10) + " events",
	}
	if len(cats) > 0 {
		l = append(l, strings.Join(cats, " · "))
	}
	if h := r.Host; h != "" {
		l = append(l, "host "+sanitize.Text(h))
	}
	if len(r.Reasons) > 0 {
		l = append(l, "why "+sanitize.Text(r.Reasons[0]))
	}
	return l
}

// banFor finds the ban covering r (a single address or a wider prefix).
func (m Model) banFor(r *engine.Row) (netip.Prefix, bool) {
	if m.snap != nil {
		for _, b := range m.snap.Bans {
			if b.Prefix.Contains(r.IP) {
				return b.Prefix, true
			}
		}
	}
	return netip.PrefixFrom(r.IP, r.IP.BitLen()), r.Banned
}

// whitelistFor finds the whitelist entry covering r, preferring an exact one.
func (m Model) whitelistFor(r *engine.Row) (netip.Prefix, bool) {
	single := netip.PrefixFrom(r.IP, r.IP.BitLen())
	if m.snap == nil {
		return single, r.Whitelisted
	}
	var found netip.Prefix
	for _, p := range m.snap.Whitelist {
		if p == single {
			return p, true
		}
		if p.Contains(r.IP) && !found.IsValid() {
			found = p
		}
	}
	if found.IsValid() {
		return found, true
	}
	return single, r.Whitelisted
}

// target names what act applies to, for the status line and the log.
func (act action) target() string {
	switch act.op {
	case opBan:
		if act.bits > 0 {
			p, _ := act.ip.Prefix(act.bits)
			return p.String()
		}
		return act.ip.String()
	case opBanMany:
		return strconv.Itoa(len(act.ips)) + " botnet IPs"
	default:
		return act.prefix.String()
	}
}

// askBanAll opens the dialog for banning every botnet IP of the table as shown: the current
// tab and filter, not yet banned, not whitelisted. Scanners, suspicious and legit IPs are never
// part of it; the dialog says how many were left out.
func (m Model) askBanAll() (Model, tea.Cmd) {
	if m.prefixTab() != nil {
		return m.setStatus(statusInfo, "B bans the botnets of an attackers tab")
	}
	var ips []netip.Addr
	var events int64
	var cats [parse.NumCategories]int64
	left := map[string]int{}
	for _, r := range m.table.Rows() {
		switch {
		case r.Verdict != classify.Botnet:
			left[r.Verdict.String()]++
		case r.Banned:
			left["banned"]++
		case r.Whitelisted:
			left["whitelisted"]++
		default:
			ips = append(ips, r.IP)
			events += r.Total
			for c, n := range r.Counts {
				cats[c] += n
			}
		}
	}
	if len(ips) == 0 {
		return m.setStatus(statusInfo, "no unbanned botnet IP in this view")
	}
	body := []string{strconv.Itoa(len(ips)) + " botnet IPs · " + strconv.FormatInt(events, 10) + " events, in this view"}
	var parts []string
	for _, c := range parse.Categories {
		if cats[c] > 0 {
			parts = append(parts, c.String()+" "+strconv.FormatInt(cats[c], 10))
		}
	}
	if len(parts) > 0 {
		body = append(body, strings.Join(parts, " · "))
	}
	shown := ips[:min(len(ips), 3)]
	first := make([]string, len(shown))
	for i, ip := range shown {
		first[i] = ip.String()
	}
	more := ""
	if len(ips) > len(shown) {
		more = " …"
	}
	body = append(body, "first "+strings.Join(first, ", ")+more)
	if len(left) > 0 {
		var l []string
		for _, k := range []string{"banned", "whitelisted", "scanner", "suspicious", "legit", "ignored", "unknown"} {
			if left[k] > 0 {
				l = append(l, strconv.Itoa(left[k])+" "+k)
			}
		}
		body = append(body, "left out "+strings.Join(l, ", "))
	}
	m.pendingAct = action{op: opBanMany, ips: ips}
	m.confirm = confirm.New(m.keys.Confirm, m.styles.Dialog, m.styles.Warn,
		"Ban all "+strconv.Itoa(len(ips))+" botnet IPs shown?", body, "")
	m.confirm.SetWidth(m.width - 4)
	m.confirmOpen = true
	return m, nil
}

// startAction sends act to the engine and shows progress.
func (m Model) startAction(act action) (Model, tea.Cmd) {
	m.nextID++
	act.id = m.nextID
	m.inflight++
	doing, _ := act.op.verb()
	target := act.target()
	m.log.Info("action", "op", doing, "target", target, "force", act.force, "id", act.id)
	m, _ = m.setStatus(statusInfo, "⟳ "+doing+" "+target+"…")
	return m, runAction(m.ctx, m.eng, act)
}

// finishAction shows the engine's answer: its message and the exact command, or the error.
func (m Model) finishAction(msg actionDoneMsg) (Model, tea.Cmd) {
	m.inflight = max(m.inflight-1, 0)
	_, done := msg.act.op.verb()
	target := msg.act.target()
	if msg.err != nil {
		m.log.Warn("action failed", "id", msg.act.id, "err", msg.err)
		text := msg.err.Error()
		if errors.Is(msg.err, engine.ErrReadOnly) {
			text = "read-only: " + text
		}
		return m.setStatus(statusErr, "✗ "+target+": "+text)
	}
	text := msg.res.Message
	if text == "" {
		text = done + " " + target
	}
	for _, o := range msg.outs { // a batch: name the first address that was not banned, and why
		if o.Err != nil {
			text += " · first refused: " + o.Err.Error()
			break
		}
	}
	m.log.Info("action done", "id", msg.act.id, "result", text, "commands", msg.res.Commands)
	m, cmd := m.setStatus(statusOK, "✓ "+text)
	// The exact commands go on lines of their own under the status, so a person can read and
	// repeat them; the table gives up the rows for as long as the status shows.
	cmds := msg.res.Commands
	if len(cmds) > maxCommandLines {
		cmds = append(cmds[:maxCommandLines-1:maxCommandLines-1], "… "+strconv.Itoa(len(msg.res.Commands)-maxCommandLines+1)+" more in the --debug log")
	}
	for _, c := range cmds {
		m.statusMore = append(m.statusMore, "  $ "+sanitize.Text(c))
	}
	return m.layoutMain(), cmd
}

// maxCommandLines bounds the command lines under the status so the table keeps most rows at 80×24.
const maxCommandLines = 4

// setStatus shows text (sanitised: engine errors can quote command output) and schedules its
// removal.
func (m Model) setStatus(kind statusKind, text string) (Model, tea.Cmd) {
	m.status, m.statusKind = sanitize.Text(text), kind
	if len(m.statusMore) > 0 {
		m.statusMore = nil
		m = m.layoutMain()
	}
	m.statusTag++
	d := statusDuration
	if kind == statusErr {
		d = errorDuration
	}
	return m, clearStatusAfter(m.statusTag, d)
}

func (m Model) clearStatus(tag int) Model {
	if tag == m.statusTag {
		m.status, m.statusMore = "", nil
		m = m.layoutMain()
	}
	return m
}
