// In a PIE (and a shared object), the site section is read-only and needs
// no dynamic relocation: flags "A" only, no TEXTREL, and the program reads
// its records at run time (also after LTO).
// RUN: %stubrt -fPIC -o %t.rt.o
// RUN: %clang_ms -O2 -g -fPIE -pie %s %t.rt.o -o %t
// RUN: readelf -S -W %t | FileCheck --check-prefix=SECT %s
// RUN: readelf -d -W %t | FileCheck --check-prefix=DYN %s
// RUN: %t | FileCheck --check-prefix=EXEC %s
// The records and the constructor survive full and thin LTO links.
// RUN: %clang_ms -O2 -g -flto %s %t.rt.o -o %t.lto && %t.lto | FileCheck --check-prefix=EXEC %s
// RUN: %clang_ms -O2 -g -flto=thin %s %t.rt.o -o %t.thin && %t.thin | FileCheck --check-prefix=EXEC %s
// RUN: %clang_ms -O2 -fPIC -shared %s -o %t.so
// RUN: readelf -S -W %t.so | FileCheck --check-prefix=SECT %s
// RUN: readelf -d -W %t.so | FileCheck --check-prefix=DYN %s
#include <stdlib.h>

struct node { struct node *next; };
struct node *head;

int main(void) {
  head = malloc(sizeof *head);
  free(head);
  return 0;
}
// SECT: memscope_sites PROGBITS {{[0-9a-f]+}} {{[0-9a-f]+}} {{[0-9a-f]+}} 00 A 0 0 8
// DYN-NOT: TEXTREL
// EXEC: SITE malloc var=head type=struct node elem=8 flags=4
// EXEC: SITE free var=head type=struct node elem=8 flags=4
