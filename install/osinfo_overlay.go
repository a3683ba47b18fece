package install

import _ "embed"

// osinfoOverlay adds what osinfo-db 20221203 (Debian 12's) does not know:
// Debian 12 and 13, Ubuntu 24.04, Fedora 38-42, RHEL 9.2-9.6, Windows
// Server 2025. Windows 11, AlmaLinux 9 and Rocky 9 are in that database.
//
//go:embed osinfo_overlay.xml
var osinfoOverlay []byte

func (db *OSDB) addOverlay() error { return db.addXML(osinfoOverlay, true) }
