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
	"sync"
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
	// Every connection (control and data) is dialled here, so that ctx
	// ending unblocks whatever waits on the server.
	var mu sync.Mutex
	var conns []net.Conn
	dial := func(network, address string) (net.Conn, error) {
		conn, err := (&net.Dialer{Timeout: 30 * time.Second}).DialContext(ctx, network, address)
		if err == nil {
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			if ctx.Err() != nil { // ended while dialling: AfterFunc may have run
				conn.SetDeadline(time.Now())
			}
		}
		return conn, err
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, conn := range conns {
			conn.SetDeadline(time.Now())
		}
	})
	defer stop()
	c, err := ftp.Dial(addr, ftp.DialWithDialFunc(dial), ftp.DialWithShutTimeout(30*time.Second))
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
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", raw, err)
	}
	if int64(len(b)) > limit {
		return nil, 0, tooLarge(raw, limit)
	}
	return b, http.StatusOK, nil
}
