import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { auth } from "@/app/(auth)/auth";
import { AuthCard } from "@/components/auth-card";
import { LoginForm } from "@/components/auth-forms";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ deleted?: string }> }) {
  if ((await auth())?.user) redirect("/");
  const { deleted } = await searchParams;
  return (
    <AuthCard title="Sign in">
      <LoginForm notice={deleted ? "Your account and all its data were deleted." : undefined} />
    </AuthCard>
  );
}
