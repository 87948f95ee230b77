// Dependency injection behind FasterAPI's own small API: tsyringe does the construction and
// constructor injection, wrapped so plugins never import it. One container per app, a child per
// encapsulated plugin, and request-scoped providers cached per request (not in tsyringe).
import {
  type DependencyContainer,
  injectable,
  instanceCachingFactory,
  Lifecycle,
  container as tsyringeRoot,
} from "tsyringe";

/** Something the container can resolve: a class, or a string / symbol name. */
export type Token<T = unknown> = string | symbol | (abstract new (...args: any[]) => T);

/** Resolves another token from inside a factory. */
export type Resolve = <U>(token: Token<U>) => U;

export type Provider<T> =
  | { useValue: T }
  | { useClass: new (...args: any[]) => T }
  | { useFactory: (resolve: Resolve) => T };

export interface ProvideOptions {
  /** "singleton" (default): one instance per container. "request": one instance per request. */
  scope?: "singleton" | "request";
}

/** Per-request cache of request-scoped instances; lives on the request context. */
export interface RequestScopeHolder {
  requestScoped: Map<Token, unknown> | null;
}

/**
 * Marks a class whose constructor parameters the container fills in (from their declared types,
 * via emitDecoratorMetadata). Classes without constructor parameters need no decorator.
 */
export function Injectable(): ClassDecorator {
  return (target) => {
    injectable()(target as unknown as new (...args: any[]) => unknown);
  };
}

export function tokenName(token: unknown): string {
  if (typeof token === "function") return token.name || "anonymous class";
  return String(token);
}

export class Container {
  private readonly tsyringe: DependencyContainer;
  private readonly parent: Container | null;
  private readonly requestProviders = new Map<Token, Provider<unknown>>();

  constructor(parent: Container | null = null) {
    this.parent = parent;
    this.tsyringe = (parent?.tsyringe ?? tsyringeRoot).createChildContainer();
  }

  /** A container that sees this one's registrations; its own stay invisible here. */
  child(): Container {
    return new Container(this);
  }

  provide<T>(token: Token<T>, provider: Provider<T>, options: ProvideOptions = {}): void {
    if (options.scope === "request") {
      if ("useValue" in provider) {
        throw new Error(`provide(${tokenName(token)}): a useValue provider cannot be request-scoped`);
      }
      this.requestProviders.set(token, provider as Provider<unknown>);
      return;
    }
    const key = token as Token<T> & string;
    if ("useValue" in provider) {
      this.tsyringe.register(key, { useValue: provider.useValue });
    } else if ("useClass" in provider) {
      this.tsyringe.register(key, { useClass: provider.useClass }, { lifecycle: Lifecycle.Singleton });
    } else if ("useFactory" in provider) {
      const factory = provider.useFactory;
      // tsyringe refuses a singleton lifecycle for factories; caching the instance is the same thing.
      this.tsyringe.register(key, {
        useFactory: instanceCachingFactory((c) => factory((t) => c.resolve(t as string))),
      });
    } else {
      throw new Error(`provide(${tokenName(token)}): expected useValue, useClass or useFactory`);
    }
  }

  /** Whether resolving `token` needs a request (it, not its dependencies, is request-scoped). */
  isRequestScoped(token: Token): boolean {
    return this.requestProvider(token) !== undefined;
  }

  /**
   * False when a string or symbol token has no provider here or above. Classes always count as
   * resolvable: the container can construct an unregistered class itself.
   */
  provides(token: Token): boolean {
    if (typeof token === "function") return true;
    return this.isRequestScoped(token) || this.tsyringe.isRegistered(token as string, true);
  }

  /** Resolves outside any request; a request-scoped token is an error here. */
  resolve<T>(token: Token<T>): T {
    if (this.isRequestScoped(token)) {
      throw new Error(`${tokenName(token)} is request-scoped; use it through Depends() inside a request`);
    }
    try {
      return this.tsyringe.resolve(token as string) as T;
    } catch (error) {
      throw new Error(`Cannot resolve ${tokenName(token)}: ${(error as Error).message}${this.hint(token)}`, {
        cause: error,
      });
    }
  }

  /** Why resolving `token` probably failed, for the error message. */
  private hint(token: Token): string {
    if (typeof token === "function") {
      // Without emitted metadata tsyringe knows a constructor takes arguments, not which.
      return token.length > 0 && Reflect.getMetadata("design:paramtypes", token) === undefined
        ? " (its constructor parameters carry no type metadata: compile with experimentalDecorators and emitDecoratorMetadata; a service class also needs @Injectable())"
        : "";
    }
    return this.tsyringe.isRegistered(token as string, true)
      ? ""
      : " (nothing provides it here: use app.provide() in this scope or a parent; an encapsulated plugin's providers are invisible outside it)";
  }

  /** Resolves inside a request: request-scoped tokens are built once per request. */
  resolveInRequest<T>(token: Token<T>, holder: RequestScopeHolder): T {
    const provider = this.requestProvider(token);
    if (provider === undefined) return this.resolve(token);
    holder.requestScoped ??= new Map();
    if (holder.requestScoped.has(token)) return holder.requestScoped.get(token) as T;
    let value: unknown;
    if ("useClass" in provider) value = this.tsyringe.resolve(provider.useClass);
    else if ("useFactory" in provider) value = provider.useFactory((t) => this.resolveInRequest(t, holder));
    holder.requestScoped.set(token, value);
    return value as T;
  }

  private requestProvider(token: Token): Provider<unknown> | undefined {
    for (let c: Container | null = this; c !== null; c = c.parent) {
      const found = c.requestProviders.get(token);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
