// Package install makes new VMs the way virt-install does: the choices of
// the wizard and of `kvmtui create` (NewVM), what a host offers them
// (NewVMHost), the operating systems they are made for (osinfo-db with an
// overlay of newer releases), and the definitions and volumes that come
// out (VMPlan), every device built through the devices catalog. It also
// writes what an install needs besides XML: a cloud-init NoCloud seed on
// an ISO 9660 image, and reads what it is given: an ISO's label, an
// install tree's .treeinfo.
//
// Like devices, it never imports libvirt.org/go/libvirt: libvirtx reads
// the host into a NewVMHost and carries a VMPlan out.
package install
