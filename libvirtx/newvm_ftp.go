package libvirtx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"time"

	"github.com/jlaffaye/ftp"
)

// fetchFTP retrieves an ftp:// URL (anonymous unless the URL names a user),
// at most limit bytes. A file the server does not have is a 404, as over
// http, so that callers probing for .treeinfo treat both alike.
func fetchFTP(ctx context.Context, raw string, limit int64) ([]byte, int, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, 0, err
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "21")
	}
	c, err := ftp.Dial(addr, ftp.DialWithContext(ctx), ftp.DialWithTimeout(30*time.Second))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", raw, err)
	}
	defer c.Quit()
	user, pass := "anonymous", "anonymous@"
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	if err := c.Login(user, pass); err != nil {
		return nil, 0, fmt.Errorf("%s: login as %s: %w", raw, user, err)
	}
	r, err := c.Retr(u.Path)
	if err != nil {
		if te := (*textproto.Error)(nil); errors.As(err, &te) && te.Code == ftp.StatusFileUnavailable {
			return nil, http.StatusNotFound, nil
		}
		return nil, 0, fmt.Errorf("%s: %w", raw, err)
	}
	defer r.Close()
	// The transfer honours ctx: a passed deadline ends a blocked read.
	stop := context.AfterFunc(ctx, func() { r.SetDeadline(time.Now()) })
	defer stop()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", raw, err)
	}
	if int64(len(b)) > limit {
		return nil, 0, fmt.Errorf("%s: larger than %d MiB", raw, limit>>20)
	}
	return b, http.StatusOK, nil
}
