package firewall

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// Protect is one address range a ban must never cover, with the reason shown on refusal.
type Protect struct {
	Prefix netip.Prefix
	Why    string
}

// Lookup finds ranges to protect at the time of a ban. An error is not fatal: the Manager
// keeps the ranges it found and reports the error as a health warning.
type Lookup func(ctx context.Context) ([]Protect, error)

// None is a Lookup that protects nothing (tests, or to turn a default lookup off).
func None(context.Context) ([]Protect, error) { return nil, nil }

// SSHClients protects the address of the operator's SSH session, read from SSH_CONNECTION
// ("client port server port") or SSH_CLIENT ("client port port"). Both ends of SSH_CONNECTION
// are protected: the server end is this host.
func SSHClients(context.Context) ([]Protect, error) {
	return sshFromEnv(os.Getenv("SSH_CONNECTION"), os.Getenv("SSH_CLIENT")), nil
}

func sshFromEnv(conn, cli string) []Protect {
	var out []Protect
	add := func(s, why string) {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, Protect{Prefix: hostPrefix(a), Why: why})
		}
	}
	if f := strings.Fields(conn); len(f) == 4 {
		add(f[0], "your SSH client address (SSH_CONNECTION)")
		add(f[2], "this host's SSH server address (SSH_CONNECTION)")
	}
	if f := strings.Fields(cli); len(f) == 3 {
		add(f[0], "your SSH client address (SSH_CLIENT)")
	}
	return out
}

// HostAddrs protects every address of this host's interfaces.
func HostAddrs(context.Context) ([]Protect, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	out := make([]Protect, 0, len(addrs))
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if ip, ok := netip.AddrFromSlice(ipn.IP); ok {
			out = append(out, Protect{Prefix: hostPrefix(ip), Why: "an address of this host"})
		}
	}
	return out, nil
}

// dockerLookupTimeout bounds the daemon query: a ban must not hang on a wedged daemon.
const dockerLookupTimeout = 2 * time.Second

// DockerNetworks protects every Docker network's subnets and gateways, asked from the daemon
// (DOCKER_HOST honoured). The gateway matters most: with the userland proxy every client
// appears to come from it (docker-mailserver #1317).
func DockerNetworks(ctx context.Context) ([]Protect, error) {
	ctx, cancel := context.WithTimeout(ctx, dockerLookupTimeout)
	defer cancel()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, err
	}
	defer func() { _ = cli.Close() }()
	res, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if client.IsErrConnectionFailed(err) {
		return nil, nil // no daemon here: a mail server outside Docker, nothing to protect
	}
	if err != nil {
		return nil, err
	}
	var out []Protect
	for _, n := range res.Items {
		for _, c := range n.IPAM.Config {
			if c.Subnet.IsValid() {
				out = append(out, Protect{Prefix: c.Subnet.Masked(), Why: "the subnet of Docker network " + n.Name})
			}
			if c.Gateway.IsValid() {
				out = append(out, Protect{Prefix: hostPrefix(c.Gateway), Why: "the gateway of Docker network " + n.Name})
			}
		}
	}
	return out, nil
}
