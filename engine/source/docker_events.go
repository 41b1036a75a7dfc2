package source

import (
	"context"

	"github.com/moby/moby/client"
)

// watchEvents subscribes to the daemon's events for the container's name (which also matches a
// re-created container: same name, new ID) and pokes kick on each one, so a waiting or stopped
// source re-inspects at once. The subscription is renewed with backoff when the daemon goes away.
// It returns when ctx is cancelled, after the client's event goroutine has finished.
func (d *Docker) watchEvents(ctx context.Context, cli *client.Client, kick chan<- struct{}) {
	attempt := 0
	for ctx.Err() == nil {
		res := cli.Events(ctx, client.EventsListOptions{
			Filters: make(client.Filters).Add("type", "container").Add("container", d.opts.Container),
		})
		// Events returns once the daemon answered: from now on nothing is missed, but something
		// may have happened before, so the source re-inspects once.
		poke(kick)
		if pumpEvents(ctx, res, kick) {
			attempt = 0
		} else {
			attempt++
		}
		sleep(ctx, backoff(d.opts.backoffMin, attempt))
	}
}

// pumpEvents forwards events until the subscription fails, then waits for the client's goroutine
// to close its error channel. It reports whether any event arrived.
func pumpEvents(ctx context.Context, res client.EventsResult, kick chan<- struct{}) bool {
	got := false
	for {
		select {
		case _, ok := <-res.Messages:
			if !ok {
				continue
			}
			got = true
			poke(kick)
		case _, ok := <-res.Err:
			if ok {
				for range res.Err {
				}
			}
			return got
		}
	}
}

// poke wakes the source unless a wake-up is pending already.
func poke(kick chan<- struct{}) {
	select {
	case kick <- struct{}{}:
	default:
	}
}
