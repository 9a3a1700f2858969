//===- MemscopeSiteTable.cpp - constant site records and module ctor -------===//
//
// One 48-byte record per site in section "memscope_sites" (layout in
// runtime/include/memscope_abi.h). Strings are stored as 32-bit offsets
// relative to the field that holds them, `trunc(sub(ptrtoint @str,
// ptrtoint &field))`, which the backend emits as a PC-relative relocation
// resolved at static link time: the section needs no dynamic relocation
// and stays read-only in PIE. The record's address is the site id.
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "memscope_abi.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;

namespace memscope {

namespace {
constexpr const char *CtorName = "memscope.module_ctor";
// Field indices of the string fields in %memscope.site.
constexpr unsigned FileField = 5, FuncField = 6, TypeField = 7, VarField = 8,
                   CalleeField = 9;
} // namespace

void markCall(Instruction &I) {
  I.setMetadata(MarkerMD, MDNode::get(I.getContext(), {}));
}

bool isMarked(const Instruction &I) { return I.getMetadata(MarkerMD); }

bool isRuntimeCall(const CallBase &C) {
  if (C.isInlineAsm() || isa<IntrinsicInst>(C))
    return true;
  const Function *F = C.getCalledFunction();
  return F && F->getName().starts_with("__memscope_");
}

SiteTable::SiteTable(Module &M) : M(M) {
  LLVMContext &C = M.getContext();
  Type *I16 = Type::getInt16Ty(C), *I32 = Type::getInt32Ty(C),
       *I64 = Type::getInt64Ty(C);
  SiteTy = StructType::getTypeByName(C, "memscope.site");
  if (!SiteTy)
    SiteTy = StructType::create(
        C, {I32, I16, I16, I32, I32, I32, I32, I32, I32, I32, I32, I64},
        "memscope.site");
  HasDebug = M.debug_compile_units_begin() != M.debug_compile_units_end();
}

Constant *SiteTable::rel(GlobalVariable *Rec, unsigned Field,
                         const std::string &S) {
  Type *I32 = Type::getInt32Ty(M.getContext());
  if (S.empty())
    return ConstantInt::get(I32, 0);
  Constant *&Str = Strings[S];
  if (!Str) {
    Constant *Init = ConstantDataArray::getString(M.getContext(), S);
    auto *G = new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                                 GlobalValue::PrivateLinkage, Init,
                                 "memscope.str");
    // Never merged with the program's strings (ConstantMerge skips globals
    // carrying metadata): the code's relocations must not depend on -g.
    G->setMetadata(MarkerMD, MDNode::get(M.getContext(), {}));
    G->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    G->setAlignment(Align(1));
    Str = G;
  }
  Type *I64 = Type::getInt64Ty(M.getContext());
  Constant *FieldAddr = ConstantExpr::getInBoundsGetElementPtr(
      SiteTy, Rec,
      ArrayRef<Constant *>{ConstantInt::get(I32, 0),
                           ConstantInt::get(I32, Field)});
  Constant *Diff = ConstantExpr::getSub(ConstantExpr::getPtrToInt(Str, I64),
                                        ConstantExpr::getPtrToInt(FieldAddr, I64));
  return ConstantExpr::getTrunc(Diff, I32);
}

GlobalVariable *SiteTable::add(const SiteInfo &S) {
  LLVMContext &C = M.getContext();
  auto *Rec = new GlobalVariable(M, SiteTy, /*isConstant=*/true,
                                 GlobalValue::PrivateLinkage, nullptr,
                                 "memscope.site");
  Rec->setSection(MEMSCOPE_SITE_SECTION);
  Rec->setAlignment(Align(8));
  Type *I16 = Type::getInt16Ty(C), *I32 = Type::getInt32Ty(C),
       *I64 = Type::getInt64Ty(C);
  Constant *Fields[] = {
      ConstantInt::get(I32, MEMSCOPE_SITE_MAGIC),
      ConstantInt::get(I16, S.Kind),
      ConstantInt::get(I16, S.Flags),
      ConstantInt::get(I32, S.Line),
      ConstantInt::get(I32, S.Column),
      rel(Rec, FileField, S.File),
      rel(Rec, FuncField, S.Func),
      rel(Rec, TypeField, S.Type),
      rel(Rec, VarField, S.Var),
      rel(Rec, CalleeField, S.Callee),
      ConstantInt::get(I32, 0),
      ConstantInt::get(I64, S.ElemSize),
  };
  Rec->setInitializer(ConstantStruct::get(SiteTy, Fields));
  Records.push_back(Rec);
  ++Count;
  return Rec;
}

SiteInfo SiteTable::describe(const Instruction &I, unsigned Kind,
                             const SiteNames &Names) const {
  SiteInfo S;
  S.Kind = Kind;
  S.Func = I.getFunction()->getName().str();
  S.Var = Names.Var.empty() ? "?" : Names.Var;
  S.Type = Names.Type;
  S.Callee = Names.Callee;
  S.ElemSize = Names.ElemSize;
  S.Flags = Names.Flags;
  if (const DILocation *L = I.getDebugLoc()) {
    S.File = L->getFilename().str();
    S.Line = L->getLine();
    S.Column = L->getColumn();
  } else if (const DISubprogram *SP = I.getFunction()->getSubprogram()) {
    S.File = SP->getFilename().str();
    S.Line = SP->getLine();
  } else {
    S.File = M.getSourceFileName();
  }
  if (!HasDebug)
    S.Flags |= MEMSCOPE_SITE_F_NO_DEBUG;
  return S;
}

void SiteTable::finish() {
  if (Records.empty())
    return;
  appendToCompilerUsed(M, Records);
  Records.clear();
  if (M.getFunction(CtorName))
    return;
  LLVMContext &C = M.getContext();
  PointerType *Ptr = PointerType::getUnqual(C);
  auto Bound = [&](const char *Name) {
    GlobalVariable *G = M.getNamedGlobal(Name);
    if (!G) {
      G = new GlobalVariable(M, Type::getInt8Ty(C), false,
                             GlobalValue::ExternalWeakLinkage, nullptr, Name);
      G->setVisibility(GlobalValue::HiddenVisibility);
    }
    return G;
  };
  GlobalVariable *Start = Bound("__start_" MEMSCOPE_SITE_SECTION);
  GlobalVariable *Stop = Bound("__stop_" MEMSCOPE_SITE_SECTION);
  FunctionCallee Init = M.getOrInsertFunction(
      MEMSCOPE_INIT_SYMBOL, Type::getVoidTy(C), Ptr, Ptr);
  Function *Ctor = Function::createWithDefaultAttr(
      FunctionType::get(Type::getVoidTy(C), false),
      GlobalValue::InternalLinkage, M.getDataLayout().getProgramAddressSpace(),
      CtorName, &M);
  Ctor->addFnAttr(Attribute::NoUnwind);
  BasicBlock *BB = BasicBlock::Create(C, "", Ctor);
  IRBuilder<> B(ReturnInst::Create(C, BB));
  B.CreateCall(Init, {Start, Stop});
  appendToGlobalCtors(M, Ctor, MEMSCOPE_CTOR_PRIORITY);
}

} // namespace memscope
