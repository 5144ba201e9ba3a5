// TypeDoc plugin adding the option `deferredDocumentation`: source paths whose exports may stay
// undocumented for now, because other work owns those files and documents them itself. Every
// other public export must carry a doc comment (validation.notDocumented, warnings as errors).
// Remove a path once its files are documented, and the check covers them again.
//
// How: once the packages are converted and merged, and before TypeDoc validates the result, the
// names of the undocumented reflections declared under those paths are added to
// `intentionallyNotDocumented`, so the check itself stays TypeDoc's. The selection below follows
// TypeDoc 0.28's validateDocumentation, so that no name is added that it would not have reported
// (an unused intentionallyNotDocumented entry is a warning too). `--logLevel Verbose` lists them.
import {
  Application,
  DeclarationReflection,
  ParameterType,
  ReflectionKind,
  ReflectionType,
} from 'typedoc';

/** @param {Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'deferredDocumentation',
    help: 'Paths "<package name>/<path in package>" (prefixes) whose exports may lack doc comments.',
    type: ParameterType.Array,
    defaultValue: [],
  });

  app.on(Application.EVENT_PROJECT_REVIVE, (project) => {
    const deferredPaths = app.options.getValue('deferredDocumentation');
    if (deferredPaths.length === 0) return;
    const isDeferred = (symbol) =>
      deferredPaths.some((path) => `${symbol.packageName}/${symbol.packagePath}`.startsWith(path));
    const names = undocumentedNames(
      project,
      app.options.getValue('requiredToBeDocumented'),
      isDeferred,
    );
    app.options.setValue('intentionallyNotDocumented', [
      ...app.options.getValue('intentionallyNotDocumented'),
      ...names,
    ]);
    app.logger.info(
      `${names.length} undocumented reflections left to deferredDocumentation (${deferredPaths.join(', ')})`,
    );
    app.logger.verbose(names.join('\n'));
  });
}

/** The friendly names TypeDoc would report as undocumented, restricted to `isDeferred` symbols. */
function undocumentedNames(project, requiredKinds, isDeferred) {
  let kinds = requiredKinds.reduce((all, kind) => all | ReflectionKind[kind], 0);
  const replace = (from, to) => {
    if (kinds & from) kinds = (kinds & ~from) | to;
  };
  replace(ReflectionKind.FunctionOrMethod, ReflectionKind.CallSignature);
  replace(ReflectionKind.Constructor, ReflectionKind.ConstructorSignature);
  replace(ReflectionKind.Accessor, ReflectionKind.GetSignature | ReflectionKind.SetSignature);

  const toProcess = project.getReflectionsByKind(kinds);
  const seen = new Set();
  const names = new Set();
  while (toProcess.length > 0) {
    const reflection = toProcess.shift();
    if (seen.has(reflection) || isInsideParameter(reflection)) continue;
    seen.add(reflection);
    const parent = reflection.parent;
    if (reflection.kindOf(ReflectionKind.TypeLiteral) && parent?.kindOf(ReflectionKind.TypeAlias)) {
      toProcess.push(parent);
      continue;
    }
    if (
      reflection.kindOf(ReflectionKind.CallSignature) &&
      parent?.kindOf(ReflectionKind.TypeLiteral)
    ) {
      toProcess.push(parent.parent);
      continue;
    }
    if (
      reflection.kindOf(ReflectionKind.ConstructorSignature) &&
      parent?.parent?.kindOf(ReflectionKind.TypeAlias)
    ) {
      toProcess.push(parent.parent);
      continue;
    }
    if (reflection instanceof DeclarationReflection) {
      const signatures =
        reflection.type instanceof ReflectionType
          ? reflection.type.declaration.getNonIndexSignatures()
          : reflection.getNonIndexSignatures();
      if (signatures.length > 0) {
        toProcess.push(...signatures);
        if (reflection.kindOf(ReflectionKind.SignatureContainer)) continue;
      }
    }
    const documented =
      reflection.hasComment() ||
      (reflection.kindOf(ReflectionKind.SomeSignature) && parent?.hasComment());
    const symbol = project.getSymbolIdFromReflection(reflection);
    if (!documented && symbol && isDeferred(symbol)) names.add(reflection.getFriendlyFullName());
  }
  return [...names].sort();
}

function isInsideParameter(reflection) {
  for (let owner = reflection.parent; owner; owner = owner.parent) {
    if (owner.kindOf(ReflectionKind.Parameter)) return true;
  }
  return false;
}
