package main

import (
	"errors"

	"github.com/mxtop/mxtop/engine/source"
)

// containerHistory reads a container's log history once. TODO(#3): Docker source.
func containerHistory(f SourceFlags) (source.Source, error) {
	return nil, errors.New("reading a container is not built yet (#3); pipe `docker logs " + f.Container + " 2>&1 | mxtop report -`")
}
