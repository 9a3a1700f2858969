//===- MemscopeAllocTable.cpp - which callees allocate or free -------------===//
//
// LLVM's isAllocationFn/getFreedOperand know nothing at PipelineStart (the
// attributes are inferred later), so memscope keeps its own table of the
// libc family by name, plus configured names (-memscope-allocators) and
// declarations marked allocsize / allockind / "alloc-family".
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "memscope_abi.h"
#include "llvm/IR/Attributes.h"
#include "llvm/IR/Function.h"

using namespace llvm;

namespace memscope {

namespace {
using A = Arg;
const AllocFn LibcTable[] = {
    {"malloc", "__memscope_malloc", MEMSCOPE_SITE_MALLOC, 'p', {A::Size}, -1, 0, -1},
    {"calloc", "__memscope_calloc", MEMSCOPE_SITE_CALLOC, 'p', {A::Size, A::Size}, -1, 0, 1},
    {"realloc", "__memscope_realloc", MEMSCOPE_SITE_REALLOC, 'p', {A::Ptr, A::Size}, 0, 1, -1},
    {"reallocarray", "__memscope_reallocarray", MEMSCOPE_SITE_REALLOCARRAY, 'p', {A::Ptr, A::Size, A::Size}, 0, 1, 2},
    {"free", "__memscope_free", MEMSCOPE_SITE_FREE, 'v', {A::Ptr}, 0, -1, -1},
    {"aligned_alloc", "__memscope_aligned_alloc", MEMSCOPE_SITE_ALIGNED_ALLOC, 'p', {A::Size, A::Size}, -1, 1, -1},
    {"memalign", "__memscope_memalign", MEMSCOPE_SITE_MEMALIGN, 'p', {A::Size, A::Size}, -1, 1, -1},
    {"posix_memalign", "__memscope_posix_memalign", MEMSCOPE_SITE_POSIX_MEMALIGN, 'i', {A::OutPtr, A::Size, A::Size}, -1, 2, -1},
    {"valloc", "__memscope_valloc", MEMSCOPE_SITE_VALLOC, 'p', {A::Size}, -1, 0, -1},
    {"pvalloc", "__memscope_pvalloc", MEMSCOPE_SITE_PVALLOC, 'p', {A::Size}, -1, 0, -1},
    {"strdup", "__memscope_strdup", MEMSCOPE_SITE_STRDUP, 'p', {A::Ptr}, -1, -1, -1},
    {"strndup", "__memscope_strndup", MEMSCOPE_SITE_STRNDUP, 'p', {A::Ptr, A::Size}, -1, -1, -1},
};
} // namespace

const AllocFn *lookupLibcAlloc(StringRef Name) {
  for (const AllocFn &F : LibcTable)
    if (Name == F.Name)
      return &F;
  return nullptr;
}

CustomSem AllocTable::bracketSemantics(const AllocFn &F) {
  CustomSem S;
  S.SizeArg0 = F.SizeArg0;
  S.SizeArg1 = F.SizeArg1;
  S.FreedArg = F.FreedArg;
  if (F.Ret == 'v') {
    S.K = CustomSem::Free;
    S.SiteKind = MEMSCOPE_SITE_CUSTOM_FREE;
  } else if (F.FreedArg >= 0) {
    S.K = CustomSem::Realloc;
    S.SiteKind = MEMSCOPE_SITE_CUSTOM_REALLOC;
  } else {
    S.K = CustomSem::Alloc;
    S.SiteKind = MEMSCOPE_SITE_CUSTOM_ALLOC;
    if (F.Ret == 'i')
      S.OutArg = 0;
  }
  return S;
}

AllocTable::AllocTable(const Options &O) {
  for (const auto &[Name, Sem] : O.Allocators)
    if (const AllocFn *F = lookupLibcAlloc(Sem))
      Configured[Name] = bracketSemantics(*F);
}

CustomSem AllocTable::customSemantics(const Function &F) const {
  auto It = Configured.find(F.getName());
  if (It != Configured.end())
    return It->second;
  if (lookupLibcAlloc(F.getName()))
    return {};
  CustomSem S;
  AttributeList AL = F.getAttributes();
  Attribute Kind = AL.getFnAttr(Attribute::AllocKind);
  AllocFnKind K = Kind.isValid() ? Kind.getAllocKind() : AllocFnKind::Unknown;
  int PtrArg = -1;
  for (unsigned I = 0, E = F.arg_size(); I < E; ++I)
    if (F.hasParamAttribute(I, Attribute::AllocatedPointer))
      PtrArg = static_cast<int>(I);
  if (auto Size = AL.getFnAttrs().getAllocSizeArgs()) {
    S.SizeArg0 = static_cast<int>(Size->first);
    S.SizeArg1 = Size->second ? static_cast<int>(*Size->second) : -1;
  }
  if ((K & AllocFnKind::Free) != AllocFnKind::Unknown) {
    S.K = CustomSem::Free;
    S.FreedArg = PtrArg >= 0 ? PtrArg : 0;
    S.SiteKind = MEMSCOPE_SITE_CUSTOM_FREE;
  } else if ((K & AllocFnKind::Realloc) != AllocFnKind::Unknown) {
    S.K = CustomSem::Realloc;
    S.FreedArg = PtrArg >= 0 ? PtrArg : 0;
    S.SiteKind = MEMSCOPE_SITE_CUSTOM_REALLOC;
  } else if ((K & AllocFnKind::Alloc) != AllocFnKind::Unknown ||
             S.SizeArg0 >= 0) {
    S.K = CustomSem::Alloc;
    S.SiteKind = MEMSCOPE_SITE_CUSTOM_ALLOC;
  }
  // A function that frees or reallocates must return/take pointers.
  if (S.K != CustomSem::None && S.K != CustomSem::Free &&
      !F.getReturnType()->isPointerTy())
    return {};
  if (S.FreedArg >= 0 &&
      (S.FreedArg >= static_cast<int>(F.arg_size()) ||
       !F.getArg(S.FreedArg)->getType()->isPointerTy()))
    return {};
  return S;
}

bool AllocTable::isAllocatorDefinition(const Function &F) const {
  if (lookupLibcAlloc(F.getName()) || Configured.count(F.getName()))
    return true;
  return customSemantics(F).K != CustomSem::None;
}

bool AllocTable::signatureMatches(const CallInst &CI, const AllocFn &F) {
  if (CI.arg_size() != F.Args.size())
    return false;
  const DataLayout &DL = CI.getModule()->getDataLayout();
  unsigned PtrBits = DL.getPointerSizeInBits();
  for (unsigned I = 0; I < F.Args.size(); ++I) {
    Type *T = CI.getArgOperand(I)->getType();
    if (F.Args[I] == Arg::Size ? !T->isIntegerTy(PtrBits) : !T->isPointerTy())
      return false;
  }
  Type *R = CI.getType();
  switch (F.Ret) {
  case 'p':
    return R->isPointerTy();
  case 'v':
    return R->isVoidTy();
  default:
    return R->isIntegerTy(32);
  }
}

} // namespace memscope
