package parse

import (
	"testing"
	"time"
)

var benchLines = map[string]string{
	"postscreen_pregreet": `2026-11-27T11:34:48.852857+00:00 mail postfix/postscreen[1686]: PREGREET 11 after 0.21 from [203.0.113.7]:51234: EHLO User\r\n`,
	"smtpd_sasl":          `2026-11-27T11:34:48.852857+00:00 mail postfix/smtps/smtpd[2004]: warning: unknown[198.51.100.30]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
	"postscreen_v6":       `2026-11-27T11:34:48.852857+00:00 mail postfix/postscreen[1686]: CONNECT from [2001:db8:85a3::8a2e:370:7334]:51234 to [172.30.0.2]:25`,
	"smtpd_connect":       `2026-11-27T11:34:48.852857+00:00 mail postfix/smtpd[2008]: connect from mail.example.net[198.51.100.43]`,
	"dovecot_login":       `2026-11-27T11:34:48.852857+00:00 mail dovecot: imap-login: Disconnected (auth failed, 3 attempts in 12 secs): user=<info@example.com>, method=PLAIN, rip=198.51.100.31, lip=192.0.2.1, TLS, session=<abc>`,
	"qmgr":                `2026-11-27T11:34:48.852857+00:00 mail postfix/qmgr[300]: 4Q2mZT5kVDz1x: from=<a@example.net>, size=1234, nrcpt=1 (queue active)`,
}

func BenchmarkParse(b *testing.B) {
	for name, line := range benchLines {
		b.Run(name, func(b *testing.B) {
			var p Parser
			var ev Event
			buf := []byte(line)
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			for i := 0; i < b.N; i++ {
				p.Parse(buf, time.Time{}, &ev)
			}
		})
	}
}
