package parse

// Category is an attack category. Its names (String) are a public contract: they appear in JSON
// output, in the config file and as UI tab contents, so never rename one.
type Category uint8

// Categories in display order. None means the line is not an attack event of its own.
const (
	None Category = iota
	Pregreet
	Pipelining
	NonSMTP
	BareNewline
	DNSBL
	Hangup
	AuthFailed
	LostAfterAuth
	TLSError
	RelayDenied
	RejectRBL
	RejectOther
	numCategories
)

// NumCategories is the number of categories including None; arrays indexed by Category use it.
const NumCategories = int(numCategories)

// Categories lists every attack category (None excluded) in display order.
var Categories = [...]Category{
	Pregreet, Pipelining, NonSMTP, BareNewline, DNSBL, Hangup,
	AuthFailed, LostAfterAuth, TLSError, RelayDenied, RejectRBL, RejectOther,
}

// String returns the category's public name, e.g. "auth_failed".
func (c Category) String() string {
	switch c {
	case Pregreet:
		return "pregreet"
	case Pipelining:
		return "pipelining"
	case NonSMTP:
		return "non_smtp"
	case BareNewline:
		return "bare_newline"
	case DNSBL:
		return "dnsbl"
	case Hangup:
		return "hangup"
	case AuthFailed:
		return "auth_failed"
	case LostAfterAuth:
		return "lost_after_auth"
	case TLSError:
		return "tls_error"
	case RelayDenied:
		return "relay_denied"
	case RejectRBL:
		return "reject_rbl"
	case RejectOther:
		return "reject_other"
	default:
		return "none"
	}
}

// ParseCategory returns the category with the public name s.
func ParseCategory(s string) (Category, bool) {
	for _, c := range Categories {
		if c.String() == s {
			return c, true
		}
	}
	return None, false
}

// ProtocolViolation reports whether c is a violation of the SMTP protocol itself, which no real
// mail client commits: such an IP is a bot whatever its name says.
func (c Category) ProtocolViolation() bool {
	switch c {
	case Pregreet, Pipelining, NonSMTP, BareNewline:
		return true
	default:
		return false
	}
}
