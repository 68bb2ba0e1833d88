import type { Metadata } from "next";

import { AuthCard } from "@/components/auth-card";
import { LoginForm } from "@/components/auth-forms";

export const metadata: Metadata = { title: "Sign in" };

// No "already signed in" redirect here: right after signing out, the page can be rendered
// in the same request as the action, with the old cookie, and would bounce back to "/".
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ deleted?: string }> }) {
  const { deleted } = await searchParams;
  return (
    <AuthCard title="Sign in">
      <LoginForm notice={deleted ? "Your account and all its data were deleted." : undefined} />
    </AuthCard>
  );
}
