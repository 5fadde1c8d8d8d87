// Package storetest damages real database files for the fault tests of
// every package: read-only, corrupt, on a full disk. Each helper uses a
// real mechanism of the operating system, undoes it when the test ends,
// and skips the test with the reason when no mechanism works here.
package storetest

import (
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ReadOnly makes the file at path unwritable for this process and returns
// a function that makes it writable again (also run when the test ends).
// As an ordinary user that is chmod 0444; root writes through permissions,
// so as root the file is made immutable with chattr +i instead. The test
// is skipped when neither works (root on a file system without chattr).
func ReadOnly(tb testing.TB, path string) (restore func()) {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, 0o444); err != nil {
			tb.Fatal(err)
		}
		return undo(tb, func() error { return os.Chmod(path, fi.Mode().Perm()) })
	}
	out, err := exec.Command("chattr", "+i", path).CombinedOutput()
	if err != nil {
		tb.Skipf("running as root, where chmod does not stop writes, and chattr +i failed (%v: %s): no real way to make %s read-only here",
			err, strings.TrimSpace(string(out)), path)
	}
	// Check it holds: root must now fail to open the file for writing.
	if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
		f.Close()
		exec.Command("chattr", "-i", path).Run()
		tb.Skipf("chattr +i did not stop root writing %s", path)
	}
	return undo(tb, func() error {
		if out, err := exec.Command("chattr", "-i", path).CombinedOutput(); err != nil {
			return errors.New(strings.TrimSpace(string(out)))
		}
		return nil
	})
}

// undo returns fix wrapped to run once, now or when the test ends.
func undo(tb testing.TB, fix func() error) func() {
	done := false
	f := func() {
		if done {
			return
		}
		done = true
		if err := fix(); err != nil {
			tb.Errorf("making the file writable again: %v", err)
		}
	}
	tb.Cleanup(f)
	return f
}

// PageSize is the page size of Rebote's databases (SQLite's default).
const PageSize = 4096

// Corrupt overwrites page number page (1 is the first) of the closed
// database file at path with random bytes, as a failing disk or a stray
// write would. The file must be checkpointed (closed), so that the page
// is not also in the -wal file.
func Corrupt(tb testing.TB, path string, page int) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	if off := int64(page-1) * PageSize; off+PageSize > fi.Size() {
		tb.Fatalf("%s has %d pages, no page %d to damage", path, fi.Size()/PageSize, page)
	}
	garbage := make([]byte, PageSize)
	rand.Read(garbage)
	if _, err := f.WriteAt(garbage, int64(page-1)*PageSize); err != nil {
		tb.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
}

// Pages returns the number of pages of the database file at path.
func Pages(tb testing.TB, path string) int {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return int(fi.Size() / PageSize)
}

// SmallDisk mounts a tmpfs of size bytes on a new directory and returns
// it; it is unmounted when the test ends, so register it before opening
// files on it (cleanups run last first). Filling it gives the real ENOSPC
// of a full disk. The test is skipped when mounting is not allowed (not
// root, or in a container without CAP_SYS_ADMIN).
func SmallDisk(tb testing.TB, size string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		tb.Skipf("cannot mount a small tmpfs to fill (%v: %s): the full-disk test needs root with CAP_SYS_ADMIN",
			err, strings.TrimSpace(string(out)))
	}
	tb.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			// Lazily, if something still holds a file open.
			if out2, err2 := exec.Command("umount", "-l", dir).CombinedOutput(); err2 != nil {
				tb.Errorf("umount %s: %v %s %s", dir, err, out, out2)
			}
		}
	})
	return dir
}

// Fill writes a file in dir until the file system is full, and returns a
// function that deletes it again (also run when the test ends).
func Fill(tb testing.TB, dir string) (free func()) {
	tb.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	// Whatever fits in the last partial chunk, byte by byte in bigger
	// steps, so not even a page is left.
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(chunk[:n]); err != nil {
				break
			}
		}
	}
	f.Close()
	return undo(tb, func() error {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	})
}
