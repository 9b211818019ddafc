// berth-apiserver entry point; the host, flags and HTTP surface are being built (issue 11).
return 0;
