//===- MemscopeReturnTransfer.cpp - owners that hand their value back -------===//
//
// A local whose value is the function's return value when its scope ends
// does not drop its block: ownership moves to the caller (`node *n =
// malloc(..); ...; return n;`). This file decides, from the IR alone, for
// one end point of a heap-holding alloca (a `llvm.lifetime.end` of it, or a
// `ret` when the function has no markers) whether the value the alloca
// holds there flows into the `ret` that control reaches next.
//
// The path from the end point to its `ret` is followed through
// unconditional branches and through branches/switches whose condition is
// a local slot (clang's `cleanup.dest.slot`) holding a constant stored
// earlier on the same path. The returned value is then traced backwards
// along that path: through loads, through stores into plain local slots
// (clang's `retval`), through phis (by the block the path came from), back
// to a load of the alloca before its end with no store to it in between,
// or to the value last stored into it. When the end point's block has
// several predecessors and the answer depends on the one taken (`return
// NULL` on one branch, `return p` on the other, both through one cleanup
// block), the answer is given per incoming edge.
//
// Anything else (a slot whose address is taken, a condition that is not a
// constant on the path, a loop, a path longer than MaxPathBlocks) keeps the
// scope exit: the rule only removes exits it can prove are returns.
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IntrinsicInst.h"

using namespace llvm;

namespace memscope {

namespace {

/// Longest path (blocks) followed from a predecessor to a `ret`.
constexpr unsigned MaxPathBlocks = 32;
/// End blocks with more predecessors than this are decided as a whole.
constexpr unsigned MaxEdges = 16;

/// @return true when nothing but direct loads, direct stores into it and
/// lifetime markers use X, so the IR shows every read and write of it.
bool isPlainSlot(const AllocaInst &X) {
  for (const User *U : X.users()) {
    if (const auto *L = dyn_cast<LoadInst>(U)) {
      if (L->isVolatile())
        return false;
      continue;
    }
    if (const auto *S = dyn_cast<StoreInst>(U)) {
      if (S->getPointerOperand() != &X || S->isVolatile())
        return false;
      continue;
    }
    if (const auto *II = dyn_cast<IntrinsicInst>(U))
      if (II->isLifetimeStartOrEnd())
        continue;
    return false;
  }
  return true;
}

/// The last store into slot X before instruction From (exclusive) in
/// Path[K], or in the blocks before it on Path. Null when there is none.
const StoreInst *lastStoreBefore(const AllocaInst &X, ArrayRef<BasicBlock *> Path,
                                 size_t K, const Instruction *From) {
  for (size_t I = K + 1; I-- > 0;) {
    BasicBlock *BB = Path[I];
    auto It = I == K ? From->getIterator() : BB->end();
    while (It != BB->begin()) {
      --It;
      if (const auto *S = dyn_cast<StoreInst>(&*It))
        if (S->getPointerOperand() == &X)
          return S;
    }
  }
  return nullptr;
}

/// Value V as a constant integer on Path (V used in Path[K]): a constant,
/// or a load of a plain slot whose last store on the path stored one.
const ConstantInt *constantOnPath(const Value *V, ArrayRef<BasicBlock *> Path,
                                  size_t K) {
  if (const auto *C = dyn_cast<ConstantInt>(V))
    return C;
  const auto *L = dyn_cast<LoadInst>(V);
  if (!L || L->getParent() != Path[K])
    return nullptr;
  const auto *X = dyn_cast<AllocaInst>(L->getPointerOperand());
  if (!X || !isPlainSlot(*X))
    return nullptr;
  const StoreInst *S = lastStoreBefore(*X, Path, K, L);
  if (!S || S->getValueOperand()->getType() != L->getType())
    return nullptr;
  return dyn_cast<ConstantInt>(S->getValueOperand());
}

/// The successor control takes out of Path.back(), or null when that is
/// not decided by constants on Path.
BasicBlock *nextOnPath(ArrayRef<BasicBlock *> Path) {
  size_t K = Path.size() - 1;
  Instruction *T = Path[K]->getTerminator();
  if (auto *Br = dyn_cast<BranchInst>(T)) {
    if (Br->isUnconditional())
      return Br->getSuccessor(0);
    Value *Cond = Br->getCondition();
    if (const ConstantInt *C = constantOnPath(Cond, Path, K))
      return Br->getSuccessor(C->isZero() ? 1 : 0);
    auto *Cmp = dyn_cast<ICmpInst>(Cond);
    if (!Cmp || Cmp->getParent() != Path[K])
      return nullptr;
    const ConstantInt *L = constantOnPath(Cmp->getOperand(0), Path, K);
    const ConstantInt *R = constantOnPath(Cmp->getOperand(1), Path, K);
    if (!L || !R)
      return nullptr;
    bool Taken = ICmpInst::compare(L->getValue(), R->getValue(),
                                   Cmp->getPredicate());
    return Br->getSuccessor(Taken ? 0 : 1);
  }
  if (auto *Sw = dyn_cast<SwitchInst>(T)) {
    const ConstantInt *C = constantOnPath(Sw->getCondition(), Path, K);
    if (!C)
      return nullptr;
    return Sw->findCaseValue(C)->getCaseSuccessor();
  }
  return nullptr;
}

/// Extend Path (ending in the end point's block) to the block holding the
/// `ret` that control reaches. @return that `ret`, or null.
ReturnInst *followToReturn(SmallVectorImpl<BasicBlock *> &Path) {
  while (Path.size() <= MaxPathBlocks) {
    if (auto *R = dyn_cast<ReturnInst>(Path.back()->getTerminator()))
      return R;
    BasicBlock *Next = nextOnPath(Path);
    if (!Next || is_contained(Path, Next))
      return nullptr;
    Path.push_back(Next);
  }
  return nullptr;
}

/// Trace R's value backwards along Path (extended backwards through
/// single predecessors when needed). @return true when it is the value A
/// holds at End.
bool returnsHeldValue(AllocaInst &A, const Instruction &End, ReturnInst &R,
                      SmallVectorImpl<BasicBlock *> &Path) {
  const Value *RV = R.getReturnValue();
  if (!RV || !RV->getType()->isPointerTy())
    return false;
  const Value *Want = RV->stripPointerCasts(); // the SSA value returned
  const AllocaInst *Slot = nullptr;           // or: the content of a slot
  bool PassedEnd = false;
  size_t K = Path.size() - 1;
  while (true) {
    BasicBlock *BB = Path[K];
    for (auto It = BB->rbegin(), E = BB->rend(); It != E; ++It) {
      const Instruction &I = *It;
      if (&I == &End) {
        PassedEnd = true;
        continue;
      }
      if (const auto *II = dyn_cast<IntrinsicInst>(&I))
        if (II->isLifetimeStartOrEnd() && II->getArgOperand(1) == &A)
          return false; // A's life (re)starts here: its old value is gone
      if (const auto *S = dyn_cast<StoreInst>(&I)) {
        const Value *To = S->getPointerOperand();
        if (To == &A) {
          // The last store into A before its end: A held this value there.
          return PassedEnd && !Slot &&
                 S->getValueOperand()->stripPointerCasts() == Want;
        }
        if (Slot && To == Slot) {
          if (!S->getValueOperand()->getType()->isPointerTy())
            return false;
          Want = S->getValueOperand()->stripPointerCasts();
          Slot = nullptr;
        }
        continue;
      }
      if (Slot || &I != Want)
        continue;
      if (const auto *L = dyn_cast<LoadInst>(&I)) {
        const auto *X = dyn_cast<AllocaInst>(L->getPointerOperand());
        if (!X || L->isVolatile())
          return false;
        if (X == &A) // no store into A between this load and End
          return PassedEnd;
        if (!isPlainSlot(*X))
          return false;
        Slot = X;
        Want = nullptr;
        continue;
      }
      if (const auto *Phi = dyn_cast<PHINode>(&I)) {
        BasicBlock *Prev = K > 0 ? Path[K - 1] : BB->getSinglePredecessor();
        if (!Prev)
          return false;
        Want = Phi->getIncomingValueForBlock(Prev)->stripPointerCasts();
        continue;
      }
      return false; // computed here, not taken from A
    }
    if (K > 0) {
      --K;
      continue;
    }
    // Before the path's first block: only a unique predecessor is certain.
    BasicBlock *Pred = BB->getSinglePredecessor();
    if (!Pred || Path.size() >= MaxPathBlocks || is_contained(Path, Pred))
      return false;
    Path.insert(Path.begin(), Pred);
  }
}

/// The verdict when control enters End's block from Pred (null: from any
/// predecessor, deciding only by what End's block and its path show).
bool returnedFrom(AllocaInst &A, Instruction &End, BasicBlock *Pred) {
  SmallVector<BasicBlock *, 8> Path;
  if (Pred)
    Path.push_back(Pred);
  Path.push_back(End.getParent());
  ReturnInst *R = followToReturn(Path);
  return R && returnsHeldValue(A, End, *R, Path);
}

} // namespace

ReturnTransfer returnTransfer(AllocaInst &A, Instruction &End) {
  ReturnTransfer T;
  if (!A.getAllocatedType()->isPointerTy() || !isPlainSlot(A))
    return T;
  if (returnedFrom(A, End, nullptr)) {
    T.K = ReturnTransfer::Returned;
    return T;
  }
  BasicBlock *BB = End.getParent();
  SmallVector<BasicBlock *, 4> Preds;
  for (BasicBlock *P : predecessors(BB))
    if (!is_contained(Preds, P))
      Preds.push_back(P);
  if (Preds.empty() || Preds.size() > MaxEdges)
    return T;
  unsigned NumReturned = 0;
  for (BasicBlock *P : Preds) {
    bool Ret = P != BB && returnedFrom(A, End, P);
    T.Edges.push_back({P, Ret});
    NumReturned += Ret;
  }
  if (NumReturned == 0)
    T.Edges.clear();
  else if (NumReturned == Preds.size())
    T.K = ReturnTransfer::Returned, T.Edges.clear();
  else
    T.K = ReturnTransfer::PerEdge;
  return T;
}

} // namespace memscope
