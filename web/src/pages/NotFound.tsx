import { Link } from "../router.tsx";
import { EmptyState } from "../components/ui.tsx";

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found">
      <p>
        There is nothing at this address. <Link href="/">Go to the event feed</Link>.
      </p>
    </EmptyState>
  );
}
