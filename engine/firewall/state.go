package firewall

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Buckets of the state file. Keys are prefixes in their canonical text form ("203.0.113.0/24").
var (
	bucketBans      = []byte("bans")
	bucketWhitelist = []byte("whitelist")
)

// stateLockWait is how long an action waits for another mxtop process (the TUI, a cron job)
// to finish its own transaction before giving up with ErrLocked.
const stateLockWait = 3 * time.Second

// record is one ban in the state file.
type record struct {
	Reason   string           `json:"reason,omitempty"`
	Since    time.Time        `json:"since"`
	Expires  time.Time        `json:"expires,omitzero"` // zero = permanent
	Verdict  string           `json:"verdict,omitempty"`
	Evidence map[string]int64 `json:"evidence,omitempty"`
}

func (r record) expired(now time.Time) bool { return !r.Expires.IsZero() && !now.Before(r.Expires) }

// wlRecord is one whitelisted prefix in the state file.
type wlRecord struct {
	Since time.Time `json:"since"`
}

// store is the bbolt state file. It opens the file for each transaction and closes it after,
// so the TUI and a `mxtop ban` from another terminal can share it: bbolt holds an exclusive
// file lock while open, and a long-lived handle would lock every other mxtop out.
type store struct {
	path string
	wait time.Duration
	tmp  bool // created by us in a temporary directory; removed by close
}

// openStore creates the state file and its buckets if missing. An empty path makes a temporary
// state file that close removes (dry-run and tests).
func openStore(path string, wait time.Duration) (*store, error) {
	if wait <= 0 {
		wait = stateLockWait
	}
	s := &store{path: path, wait: wait}
	if path == "" {
		dir, err := os.MkdirTemp("", "mxtop-state-")
		if err != nil {
			return nil, newErr(ErrBackend, err, "create temporary state file")
		}
		s.path, s.tmp = filepath.Join(dir, "state.db"), true
	} else if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, stateErr(path, err)
	}
	err := s.update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketBans, bucketWhitelist} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func stateErr(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return newErr(ErrLocked, nil, "state file %s is in use by another mxtop (retry in a moment)", path)
	case errors.Is(err, os.ErrPermission):
		return newErr(ErrNotRoot, err, "state file %s: permission denied (run as root)", path)
	}
	return newErr(ErrBackend, err, "state file %s", path)
}

func (s *store) open(readOnly bool) (*bbolt.DB, error) {
	db, err := bbolt.Open(s.path, 0o600, &bbolt.Options{Timeout: s.wait, ReadOnly: readOnly})
	if err != nil {
		return nil, stateErr(s.path, err)
	}
	return db, nil
}

// update runs fn in one read-write transaction: all of it is committed, or none of it.
func (s *store) update(fn func(*bbolt.Tx) error) error {
	db, err := s.open(false)
	if err != nil {
		return err
	}
	err = db.Update(fn)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return err
		}
		return stateErr(s.path, err)
	}
	return nil
}

// view runs fn in a read-only transaction (a shared lock: many readers at once).
func (s *store) view(fn func(*bbolt.Tx) error) error {
	db, err := s.open(true)
	if err != nil {
		return err
	}
	err = db.View(fn)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return stateErr(s.path, err)
	}
	return nil
}

func (s *store) close() {
	if s.tmp {
		_ = os.RemoveAll(filepath.Dir(s.path))
	}
}

func putJSON(tx *bbolt.Tx, bucket []byte, p netip.Prefix, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(bucket).Put([]byte(p.String()), b)
}

func del(tx *bbolt.Tx, bucket []byte, p netip.Prefix) error {
	return tx.Bucket(bucket).Delete([]byte(p.String()))
}

// loadBans reads every ban. A key or value that does not parse (a hand-edited or future file)
// is reported, not skipped silently.
func loadBans(tx *bbolt.Tx) (map[netip.Prefix]record, error) {
	out := map[netip.Prefix]record{}
	err := tx.Bucket(bucketBans).ForEach(func(k, v []byte) error {
		p, err := netip.ParsePrefix(string(k))
		if err != nil {
			return fmt.Errorf("bad ban key %q: %w", k, err)
		}
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("bad ban record for %s: %w", p, err)
		}
		out[p] = r
		return nil
	})
	return out, err
}

func loadWhitelist(tx *bbolt.Tx) ([]netip.Prefix, error) {
	var out []netip.Prefix
	err := tx.Bucket(bucketWhitelist).ForEach(func(k, _ []byte) error {
		p, err := netip.ParsePrefix(string(k))
		if err != nil {
			return fmt.Errorf("bad whitelist key %q: %w", k, err)
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

func getBan(tx *bbolt.Tx, p netip.Prefix) (record, bool, error) {
	v := tx.Bucket(bucketBans).Get([]byte(p.String()))
	if v == nil {
		return record{}, false, nil
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return record{}, false, fmt.Errorf("bad ban record for %s: %w", p, err)
	}
	return r, true, nil
}
