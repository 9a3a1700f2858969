//===- MemscopePass.h - memscope instrumentation passes --------*- C++ -*-===//
//
// The memscope pass plugin: instruments C programs for memscope's runtime
// (runtime/include/memscope_abi.h is the contract).
//
// MemscopePass (pipeline name "memscope") runs at PipelineStart, before any
// optimisation, at every -O level. It replaces allocation calls with the
// runtime's twins, brackets user allocators and destructor-style calls,
// records scope exits and escapes of locals, keeps the calling-context value
// up to date, and emits one constant site record per site plus a module
// constructor calling __memscope_init_v1.
//
// MemscopeLatePass (pipeline name "memscope-late") runs at OptimizerLast and
// only catches libc allocation calls that became direct during optimisation
// (through function pointers); every call the first pass created or decided
// about carries !memscope metadata so nothing is counted twice.
//
//===----------------------------------------------------------------------===//
#ifndef MEMSCOPE_PASS_H
#define MEMSCOPE_PASS_H

#include "llvm/IR/PassManager.h"

namespace memscope {

/// Early module pass. Required: it runs on optnone functions at -O0 too.
class MemscopePass : public llvm::PassInfoMixin<MemscopePass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  static bool isRequired() { return true; }
};

/// Late module pass for allocation calls that only became direct after
/// optimisation. Sites it adds carry MEMSCOPE_SITE_F_LATE.
class MemscopeLatePass : public llvm::PassInfoMixin<MemscopeLatePass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  static bool isRequired() { return true; }
};

} // namespace memscope

#endif // MEMSCOPE_PASS_H
