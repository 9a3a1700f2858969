//===- MemscopePlugin.cpp - pass plugin entry point ------------------------===//
//
// Registers the passes with clang's and opt's pass builders:
//   * PipelineStart: MemscopePass (every -O level, also -flto compiles);
//   * OptimizerLast: MemscopeLatePass;
//   * opt pipeline names "memscope" and "memscope-late".
//
//===----------------------------------------------------------------------===//

#include "MemscopePass.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

static void registerCallbacks(PassBuilder &PB) {
  PB.registerPipelineStartEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(memscope::MemscopePass());
      });
  PB.registerOptimizerLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel Level) {
        if (Level != OptimizationLevel::O0)
          MPM.addPass(memscope::MemscopeLatePass());
      });
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM,
         ArrayRef<PassBuilder::PipelineElement>) {
        if (Name == "memscope") {
          MPM.addPass(memscope::MemscopePass());
          return true;
        }
        if (Name == "memscope-late") {
          MPM.addPass(memscope::MemscopeLatePass());
          return true;
        }
        return false;
      });
}

extern "C" LLVM_ATTRIBUTE_WEAK __attribute__((visibility("default")))
::llvm::PassPluginLibraryInfo
llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "memscope", "0.1", registerCallbacks};
}
