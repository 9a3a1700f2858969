//===- MemscopeTypeNames.cpp - C spelling of debug-info types --------------===//
//
// Renders DIType graphs as a C programmer writes them: typedef names kept
// ("item_t"), "struct node", "char **", "int[4]", "char (*)[16]",
// "struct <anonymous>", "void (*)(int)". The declarator is built inside out,
// the way C declarations nest.
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/DebugInfoMetadata.h"

using namespace llvm;

namespace memscope {

namespace {
/// Join a base type name and a declarator: "char" + "*p" -> "char *p",
/// "char" + "[4]" -> "char[4]".
std::string joinLeaf(const std::string &Base, const std::string &Inner) {
  if (Inner.empty())
    return Base;
  if (Inner[0] == '[')
    return Base + Inner;
  return Base + " " + Inner;
}

std::string compositeName(const DICompositeType *C) {
  const char *Tag = "struct";
  switch (C->getTag()) {
  case dwarf::DW_TAG_union_type:
    Tag = "union";
    break;
  case dwarf::DW_TAG_enumeration_type:
    Tag = "enum";
    break;
  case dwarf::DW_TAG_class_type:
    Tag = "class";
    break;
  default:
    break;
  }
  StringRef N = C->getName();
  return std::string(Tag) + " " + (N.empty() ? "<anonymous>" : N.str());
}

bool needsParens(const DIType *T) {
  if (!T)
    return false;
  if (isa<DISubroutineType>(T))
    return true;
  if (auto *C = dyn_cast<DICompositeType>(T))
    return C->getTag() == dwarf::DW_TAG_array_type;
  return false;
}
} // namespace

std::string cTypeName(const DIType *T, const std::string &Inner) {
  if (!T)
    return joinLeaf("void", Inner);
  if (auto *B = dyn_cast<DIBasicType>(T))
    return joinLeaf(B->getName().str(), Inner);
  if (auto *D = dyn_cast<DIDerivedType>(T)) {
    const DIType *Base = D->getBaseType();
    switch (D->getTag()) {
    case dwarf::DW_TAG_typedef:
      return joinLeaf(D->getName().str(), Inner);
    case dwarf::DW_TAG_pointer_type:
    case dwarf::DW_TAG_reference_type:
      if (needsParens(Base))
        return cTypeName(Base, "(*" + Inner + ")");
      return cTypeName(Base, "*" + Inner);
    case dwarf::DW_TAG_const_type:
    case dwarf::DW_TAG_volatile_type:
    case dwarf::DW_TAG_restrict_type:
    case dwarf::DW_TAG_atomic_type: {
      const char *Q = D->getTag() == dwarf::DW_TAG_const_type      ? "const"
                      : D->getTag() == dwarf::DW_TAG_volatile_type ? "volatile"
                      : D->getTag() == dwarf::DW_TAG_restrict_type ? "restrict"
                                                                   : "_Atomic";
      // A qualified pointer qualifies the declarator ("char *const").
      const DIDerivedType *BD = dyn_cast_or_null<DIDerivedType>(Base);
      if (BD && BD->getTag() == dwarf::DW_TAG_pointer_type)
        return cTypeName(Base, Inner.empty() ? std::string(Q)
                                             : std::string(Q) + " " + Inner);
      return std::string(Q) + " " + cTypeName(Base, Inner);
    }
    default:
      // Members, inheritance and anything else: name of the base type.
      return cTypeName(Base, Inner);
    }
  }
  if (auto *C = dyn_cast<DICompositeType>(T)) {
    if (C->getTag() != dwarf::DW_TAG_array_type)
      return joinLeaf(compositeName(C), Inner);
    std::string Dims;
    for (const DINode *E : C->getElements()) {
      auto *SR = dyn_cast_or_null<DISubrange>(E);
      if (!SR)
        continue;
      auto Count = SR->getCount();
      if (auto *CI = dyn_cast_if_present<ConstantInt *>(Count);
          CI && CI->getSExtValue() >= 0)
        Dims += "[" + std::to_string(CI->getSExtValue()) + "]";
      else
        Dims += "[]";
    }
    return cTypeName(C->getBaseType(), Inner + Dims);
  }
  if (auto *S = dyn_cast<DISubroutineType>(T)) {
    DITypeRefArray Types = S->getTypeArray();
    std::string Params;
    for (unsigned I = 1; I < Types.size(); ++I) {
      if (I > 1)
        Params += ", ";
      Params += Types[I] ? cTypeName(Types[I]) : std::string("...");
    }
    if (Types.size() <= 1)
      Params = "void";
    const DIType *Ret = Types.size() ? Types[0] : nullptr;
    return cTypeName(Ret, Inner + "(" + Params + ")");
  }
  return joinLeaf("?", Inner);
}

const DIType *stripCV(const DIType *T) {
  while (auto *D = dyn_cast_or_null<DIDerivedType>(T)) {
    unsigned Tag = D->getTag();
    if (Tag != dwarf::DW_TAG_const_type && Tag != dwarf::DW_TAG_volatile_type &&
        Tag != dwarf::DW_TAG_restrict_type && Tag != dwarf::DW_TAG_atomic_type &&
        Tag != dwarf::DW_TAG_member)
      break;
    T = D->getBaseType();
  }
  return T;
}

const DIType *stripType(const DIType *T) {
  for (;;) {
    T = stripCV(T);
    auto *D = dyn_cast_or_null<DIDerivedType>(T);
    if (!D || D->getTag() != dwarf::DW_TAG_typedef)
      return T;
    T = D->getBaseType();
  }
}

uint64_t typeSizeBytes(const DIType *T) {
  // Typedefs and qualifiers often carry no size: follow them to one.
  while (T) {
    if (T->getSizeInBits())
      return T->getSizeInBits() / 8;
    auto *D = dyn_cast<DIDerivedType>(T);
    if (!D || D->getTag() == dwarf::DW_TAG_pointer_type)
      return 0;
    T = D->getBaseType();
  }
  return 0;
}

const DIType *pointeeType(const DIType *T, bool &Ok) {
  auto *D = dyn_cast_or_null<DIDerivedType>(stripType(T));
  Ok = D && D->getTag() == dwarf::DW_TAG_pointer_type;
  return Ok ? D->getBaseType() : nullptr;
}

} // namespace memscope
