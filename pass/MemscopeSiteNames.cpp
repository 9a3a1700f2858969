//===- MemscopeSiteNames.cpp - variable names and access paths -------------===//
//
// Names the place an allocation result lands in ("n->next", "g_cfg",
// "list->items[]", "<return>", "<arg:name>") and the static type of what it
// points to, from debug info only. This file reads IR and never changes it:
// debug info must not decide what is instrumented (see docs/PASS.md).
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "memscope_abi.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/GetElementPtrTypeIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Operator.h"

using namespace llvm;

namespace memscope {

namespace {
constexpr unsigned MaxDepth = 8;

/// Member of composite C at byte offset Off, looking through anonymous
/// struct/union members. Sets Rest to the offset left inside the member.
const DIDerivedType *memberAt(const DICompositeType *C, uint64_t OffBits,
                              bool WantPointer, std::string &Name) {
  for (const DINode *E : C->getElements()) {
    auto *M = dyn_cast_or_null<DIDerivedType>(E);
    if (!M || M->getTag() != dwarf::DW_TAG_member)
      continue;
    uint64_t Start = M->getOffsetInBits();
    uint64_t Size = M->getSizeInBits();
    if (OffBits < Start || (Size && OffBits >= Start + Size) ||
        (!Size && OffBits != Start))
      continue;
    if (M->getName().empty()) {
      // A GEP onto the anonymous member itself: no name to add.
      if (!WantPointer && OffBits == Start) {
        Name.clear();
        return M;
      }
      // Anonymous struct/union member: its fields belong to C.
      if (auto *Inner = dyn_cast_or_null<DICompositeType>(
              stripType(M->getBaseType())))
        if (const DIDerivedType *R =
                memberAt(Inner, OffBits - Start, WantPointer, Name))
          return R;
      continue;
    }
    if (OffBits != Start)
      continue;
    if (WantPointer) {
      bool IsPtr;
      pointeeType(M->getBaseType(), IsPtr);
      if (!IsPtr)
        continue;
    }
    Name = M->getName().str();
    return M;
  }
  return nullptr;
}

void appendIndex(Place &P, const Value *Idx) {
  if (auto *CI = dyn_cast<ConstantInt>(Idx))
    P.Path += "[" + std::to_string(CI->getSExtValue()) + "]";
  else
    P.Path += "[]";
  P.Deref = false;
}

/// @return true when every load of alloca A feeds a return directly: the
/// slot clang uses for a function's return value.
bool isReturnSlot(const AllocaInst *A) {
  bool Any = false;
  for (const User *U : A->users()) {
    if (auto *L = dyn_cast<LoadInst>(U)) {
      for (const User *LU : L->users())
        if (!isa<ReturnInst>(LU))
          return false;
      Any = true;
    } else if (auto *S = dyn_cast<StoreInst>(U)) {
      if (S->getValueOperand() == A)
        return false;
    } else if (!isa<IntrinsicInst>(U)) {
      return false;
    }
  }
  return Any;
}

const DIType *returnType(const Function *F) {
  const DISubprogram *SP = F ? F->getSubprogram() : nullptr;
  if (!SP || !SP->getType())
    return nullptr;
  DITypeRefArray Types = SP->getType()->getTypeArray();
  return Types.size() ? Types[0] : nullptr;
}

/// Finish a place that holds a pointer: union/struct at offset 0 resolves to
/// its first pointer member; a pending dereference shows as "*p".
SiteNames finishPointerPlace(Place P) {
  SiteNames N;
  const DIType *T = stripType(P.Ty);
  if (auto *C = dyn_cast_or_null<DICompositeType>(T);
      C && C->getTag() != dwarf::DW_TAG_array_type) {
    std::string Name;
    if (const DIDerivedType *M = memberAt(C, 0, /*WantPointer=*/true, Name)) {
      P.Path += (P.Deref ? "->" : ".") + Name;
      P.Deref = false;
      P.Field = true;
      P.Ty = M->getBaseType();
    }
  }
  if (P.Deref)
    P.Path = "*" + P.Path;
  N.Var = P.Path;
  bool IsPtr;
  const DIType *Pointee = pointeeType(P.Ty, IsPtr);
  if (IsPtr) {
    N.Type = cTypeName(Pointee);
    N.ElemSize = typeSizeBytes(Pointee);
  }
  N.Flags = (P.Global ? MEMSCOPE_SITE_F_GLOBAL : 0) |
            (P.Field ? MEMSCOPE_SITE_F_FIELD : 0);
  return N;
}

SiteNames unknownNames() {
  SiteNames N;
  N.Var = "?";
  return N;
}
} // namespace

const DILocalVariable *variableOf(const AllocaInst *A) {
  auto *V = const_cast<AllocaInst *>(A);
  for (DbgVariableRecord *R : findDVRDeclares(V))
    return R->getVariable();
  for (DbgVariableRecord *R : at::getDVRAssignmentMarkers(A))
    return R->getVariable();
  for (DbgDeclareInst *D : findDbgDeclares(V))
    return D->getVariable();
  for (DbgAssignIntrinsic *D : at::getAssignmentMarkers(A))
    return D->getVariable();
  return nullptr;
}

std::optional<Place> Namer::placeOf(const Value *V, unsigned Depth) {
  if (Depth > MaxDepth)
    return std::nullopt;
  if (auto *A = dyn_cast<AllocaInst>(V)) {
    if (const DILocalVariable *Var = variableOf(A)) {
      Place P;
      P.Path = Var->getName().str();
      P.Ty = Var->getType();
      return P;
    }
    if (isReturnSlot(A)) {
      Place P;
      P.Path = "<return>";
      P.Ty = returnType(A->getFunction());
      return P;
    }
    return std::nullopt;
  }
  if (auto *G = dyn_cast<GlobalVariable>(V)) {
    SmallVector<DIGlobalVariableExpression *, 1> GVEs;
    G->getDebugInfo(GVEs);
    for (DIGlobalVariableExpression *E : GVEs)
      if (DIGlobalVariable *Var = E->getVariable()) {
        Place P;
        P.Path = Var->getName().str();
        P.Ty = Var->getType();
        P.Global = true;
        return P;
      }
    return std::nullopt;
  }
  if (auto *L = dyn_cast<LoadInst>(V)) {
    std::optional<Place> P = placeOf(L->getPointerOperand(), Depth + 1);
    if (!P)
      return std::nullopt;
    bool IsPtr;
    const DIType *Pointee = pointeeType(P->Ty, IsPtr);
    if (!IsPtr)
      return std::nullopt;
    if (P->Deref)
      P->Path = "*" + P->Path;
    P->Ty = Pointee;
    P->Deref = true;
    return P;
  }
  if (auto *GEP = dyn_cast<GEPOperator>(V)) {
    std::optional<Place> P = placeOf(GEP->getPointerOperand(), Depth + 1);
    if (!P)
      return std::nullopt;
    bool First = true;
    for (auto GTI = gep_type_begin(GEP), E = gep_type_end(GEP); GTI != E;
         ++GTI) {
      const Value *Idx = GTI.getOperand();
      if (First) {
        First = false;
        auto *CI = dyn_cast<ConstantInt>(Idx);
        if (CI && CI->isZero())
          continue;
        // p[i] on a pointer: the element type stays the pointee.
        appendIndex(*P, Idx);
        continue;
      }
      const DIType *T = stripType(P->Ty);
      if (StructType *ST = GTI.getStructTypeOrNull()) {
        auto *C = dyn_cast_or_null<DICompositeType>(T);
        auto *FI = dyn_cast<ConstantInt>(Idx);
        if (!C || !FI)
          return std::nullopt;
        uint64_t Off =
            DL.getStructLayout(ST)->getElementOffset(FI->getZExtValue());
        std::string Name;
        const DIDerivedType *M = memberAt(C, Off * 8, false, Name);
        if (!M)
          return std::nullopt;
        P->Ty = M->getBaseType();
        if (Name.empty())
          continue; // anonymous struct/union: keep "a->" pending
        P->Path += (P->Deref ? "->" : ".") + Name;
        P->Deref = false;
        P->Field = true;
        continue;
      }
      auto *C = dyn_cast_or_null<DICompositeType>(T);
      if (!C || C->getTag() != dwarf::DW_TAG_array_type)
        return std::nullopt;
      appendIndex(*P, Idx);
      P->Ty = C->getBaseType();
      // Multi-dimensional DI arrays: one DI array holds all dimensions.
      unsigned Dims = 0;
      for (const DINode *N : C->getElements())
        Dims += isa_and_nonnull<DISubrange>(N);
      if (Dims > 1)
        return std::nullopt;
    }
    return P;
  }
  return std::nullopt;
}

SiteNames Namer::pointerHeldIn(const Place &P) { return finishPointerPlace(P); }

SiteNames Namer::argName(const CallBase &Call, unsigned ArgNo) {
  SiteNames N;
  const Function *Callee = Call.getCalledFunction();
  std::string ParamName;
  const DIType *ParamTy = nullptr;
  if (Callee) {
    N.Callee = Callee->getName().str();
    // Parameters of a callee defined here: its dbg declares, or the
    // subprogram's retained nodes (optimised code).
    if (!Callee->isDeclaration())
      for (const Instruction &I : Callee->getEntryBlock())
        if (auto *A = dyn_cast<AllocaInst>(&I))
          if (const DILocalVariable *Var = variableOf(A))
            if (Var->getArg() == ArgNo + 1) {
              ParamName = Var->getName().str();
              ParamTy = Var->getType();
            }
    if (ParamName.empty())
      if (const DISubprogram *SP = Callee->getSubprogram())
        for (const DINode *Node : SP->getRetainedNodes())
          if (auto *Var = dyn_cast_or_null<DILocalVariable>(Node))
            if (Var->getArg() == ArgNo + 1) {
              ParamName = Var->getName().str();
              ParamTy = Var->getType();
            }
  }
  if (ParamName.empty())
    ParamName = (Callee ? Callee->getName().str() : std::string("?")) + "#" +
                std::to_string(ArgNo + 1);
  N.Var = "<arg:" + ParamName + ">";
  bool IsPtr;
  const DIType *Pointee = pointeeType(ParamTy, IsPtr);
  if (IsPtr) {
    N.Type = cTypeName(Pointee);
    N.ElemSize = typeSizeBytes(Pointee);
  }
  return N;
}

SiteNames Namer::forResult(const CallInst &R) {
  // Prefer the first use in program order within R's block (bounded scan:
  // clang puts the store right after the call).
  const User *Best = nullptr;
  unsigned Budget = 32;
  for (const Instruction *I = R.getNextNode(); I && !Best && Budget--;
       I = I->getNextNode())
    for (const Use &U : I->operands())
      if (U.get() == &R) {
        Best = I;
        break;
      }
  if (!Best && !R.user_empty())
    Best = *R.user_begin();
  if (!Best)
    return unknownNames();
  if (auto *S = dyn_cast<StoreInst>(Best)) {
    if (S->getValueOperand() != &R)
      return unknownNames();
    if (std::optional<Place> P = placeOf(S->getPointerOperand()))
      return finishPointerPlace(*P);
    return unknownNames();
  }
  if (isa<ReturnInst>(Best)) {
    Place P;
    P.Path = "<return>";
    P.Ty = returnType(R.getFunction());
    return finishPointerPlace(P);
  }
  if (auto *C = dyn_cast<CallBase>(Best)) {
    if (isa<IntrinsicInst>(C))
      return unknownNames();
    for (unsigned I = 0; I < C->arg_size(); ++I)
      if (C->getArgOperand(I) == &R)
        return argName(*C, I);
  }
  return unknownNames();
}

SiteNames Namer::forPointerArg(const Value *V) {
  if (auto *L = dyn_cast<LoadInst>(V))
    if (std::optional<Place> P = placeOf(L->getPointerOperand()))
      return finishPointerPlace(*P);
  if (auto *A = dyn_cast<Argument>(V)) {
    // Optimised IR (hand-written .ll): a parameter used directly.
    if (const DISubprogram *SP = A->getParent()->getSubprogram())
      for (const DINode *Node : SP->getRetainedNodes())
        if (auto *Var = dyn_cast_or_null<DILocalVariable>(Node))
          if (Var->getArg() == A->getArgNo() + 1) {
            Place P;
            P.Path = Var->getName().str();
            P.Ty = Var->getType();
            return finishPointerPlace(P);
          }
  }
  return unknownNames();
}

SiteNames Namer::forObject(const Value *O) {
  std::optional<Place> P = placeOf(O);
  if (!P)
    return unknownNames();
  SiteNames N;
  N.Var = P->Deref ? "*" + P->Path : P->Path;
  N.Type = cTypeName(P->Ty);
  N.ElemSize = typeSizeBytes(P->Ty);
  N.Flags = (P->Global ? MEMSCOPE_SITE_F_GLOBAL : 0) |
            (P->Field ? MEMSCOPE_SITE_F_FIELD : 0);
  return N;
}

} // namespace memscope
